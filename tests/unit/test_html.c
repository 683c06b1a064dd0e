/*
 * test_html.c: relay/html.h, text written into the portal's page.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "relay/html.h"

/* Returns what b holds as a new string, and empties b. */
static char *
drain(struct evbuffer *b)
{
	size_t n = evbuffer_get_length(b);
	char *s = malloc(n + 1);

	assert_non_null(s);
	evbuffer_remove(b, s, n);
	s[n] = '\0';
	return s;
}

static void
test_text_escapes_markup_and_quotes(void **state)
{
	struct evbuffer *b = evbuffer_new();
	char *s;

	(void)state;
	html_text(b, "<script>alert('x')</script> & \"q\"");
	s = drain(b);
	assert_string_equal(s, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
	    " &amp; &quot;q&quot;");
	free(s);
	html_text(b, NULL);
	html_text(b, "");
	html_text(b, "plain \xc3\xa9t\xc3\xa9");
	s = drain(b);
	assert_string_equal(s, "plain \xc3\xa9t\xc3\xa9");
	free(s);
	evbuffer_free(b);
}

static void
test_only_http_urls_are_links(void **state)
{
	(void)state;
	assert_true(html_url_ok("https://example.com"));
	assert_true(html_url_ok("HTTP://example.com/a?b=c#d"));
	assert_true(html_url_ok("https://example.com/?q=\"><script>"));
	assert_false(html_url_ok(NULL));
	assert_false(html_url_ok(""));
	assert_false(html_url_ok("javascript:alert(1)"));
	assert_false(html_url_ok("JavaScript:alert(1)"));
	assert_false(html_url_ok(" javascript:alert(1)"));
	assert_false(html_url_ok("data:text/html,<script>"));
	assert_false(html_url_ok("//evil.example"));
	assert_false(html_url_ok("/p/x"));
	assert_false(html_url_ok("https://"));
	assert_false(html_url_ok("https:///path"));
	assert_false(html_url_ok("https://exa mple.com"));
	assert_false(html_url_ok("https://example.com/\njavascript:"));
	assert_false(html_url_ok("https://example.com/\t"));
}

static void
test_link_is_inert(void **state)
{
	struct evbuffer *b = evbuffer_new();
	char *s;

	(void)state;
	html_link(b, "https://example.com/?q=\"><script>", "Site <b>");
	s = drain(b);
	assert_string_equal(s, "<a href=\"https://example.com/?q=&quot;&gt;"
	    "&lt;script&gt;\" target=\"_blank\" rel=\"noopener noreferrer\">"
	    "Site &lt;b&gt;</a>");
	free(s);
	/* Anything else is shown, not linked. */
	html_link(b, "javascript:alert(1)", "Click \"me\"");
	s = drain(b);
	assert_string_equal(s, "Click &quot;me&quot; (javascript:alert(1))");
	free(s);
	html_link(b, "javascript:alert(1)", NULL);
	s = drain(b);
	assert_string_equal(s, "javascript:alert(1)");
	assert_null(strstr(s, "href"));
	free(s);
	evbuffer_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_escapes_markup_and_quotes),
		cmocka_unit_test(test_only_http_urls_are_links),
		cmocka_unit_test(test_link_is_inert),
	};

	return cmocka_run_group_tests_name("html", tests, NULL, NULL);
}
