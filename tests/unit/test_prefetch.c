/*
 * test_prefetch.c: relay/prefetch.h, who records no view.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "relay/prefetch.h"

static void
test_known_prefetchers(void **state)
{
	static const char *const agents[] = {
		"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
		"facebookexternalhit/1.1 (+http://www.facebook.com/"
		    "externalhit_uatext.php)",
		"Twitterbot/1.0",
		"LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient "
		    "+http://www.linkedin.com)",
		"WhatsApp/2.23.20.0",
		"Mozilla/5.0 (compatible; Discordbot/2.0; "
		    "+https://discordapp.com)",
		"TelegramBot (like TwitterBot)",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/"
		    "605.1.15 (KHTML, like Gecko) Version/13.1.1 "
		    "Safari/605.1.15 (Applebot/0.1; "
		    "+http://www.apple.com/go/applebot)",
		"Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview "
		    "Preview/0.5",
		"Mozilla/5.0 (compatible; Google-Safety; "
		    "+http://www.google.com/bot.html)",
		"Mozilla/5.0 (compatible; Googlebot/2.1; "
		    "+http://www.google.com/bot.html)",
		"Microsoft Office Existence Discovery",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
		    "(KHTML, like Gecko) BingPreview/1.0b",
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, "
		    "like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36",
		"Baiduspider+(+http://www.baidu.com/search/spider.htm)",
		"SomeCrawler/3", "AhrefsBot/7.0", "bot",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(agents) / sizeof(agents[0]); i++)
		if (!prefetch_agent(agents[i]))
			fail_msg("not taken for a prefetcher: %s", agents[i]);
}

static void
test_browsers_and_clients_count(void **state)
{
	static const char *const agents[] = {
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, "
		    "like Gecko) Chrome/120.0.0.0 Safari/537.36",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) "
		    "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 "
		    "Mobile/15E148 Safari/604.1",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) "
		    "Gecko/20100101 Firefox/121.0",
		"Mozilla/5.0 (Linux; Android 9; CUBOT_X19) AppleWebKit/537.36 "
		    "(KHTML, like Gecko) Chrome/119.0 Mobile Safari/537.36",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
		    "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 "
		    "Edg/120.0.0.0",
		"curl/8.5.0", "node", "",
	};
	size_t i;

	(void)state;
	assert_false(prefetch_agent(NULL));
	for (i = 0; i < sizeof(agents) / sizeof(agents[0]); i++)
		if (prefetch_agent(agents[i]))
			fail_msg("taken for a prefetcher: %s", agents[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_prefetchers),
		cmocka_unit_test(test_browsers_and_clients_count),
	};

	return cmocka_run_group_tests_name("prefetch", tests, NULL, NULL);
}
