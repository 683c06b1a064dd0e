#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "relay/prefetch.h"

/*
 * Compared without regard to case, anywhere in the User-Agent. Named
 * ones first (most also end in "bot", below), then the generic words.
 * A program that passes for a browser passes here too: the view it
 * reports is the page's own beacon, which needs a script run in a
 * rendered page, and most scanners never get that far.
 */
static const char *const prefetch_tokens[] = {
	/* Microsoft: Outlook and Office link checks, Teams and Skype
	 * unfurls, Bing's preview. */
	"Microsoft Office", "MSOffice", "SkypeUriPreview", "BingPreview",
	"MicrosoftPreview",
	/* Google: Safe Browsing and other link fetchers
	 * ("Google-Safety", "Google-InspectionTool", "Google-Read-Aloud",
	 * "Google-PageRenderer", "Mediapartners-Google", ...). */
	"Google-", "-Google",
	/* Chat and social unfurlers. */
	"Slackbot", "Slack-ImgProxy", "facebookexternalhit", "Facebot",
	"Twitterbot", "LinkedInBot", "WhatsApp", "Discordbot", "TelegramBot",
	"Applebot", "redditbot", "Pinterestbot", "Iframely", "Embedly",
	"vkShare",
	/* Scripted browsers, as sandboxing scanners run them. */
	"HeadlessChrome", "PhantomJS",
	/* Any crawler, spider or previewer. */
	"crawler", "spider", "preview",
};

/* Returns 1 if c may be part of a word in a User-Agent. */
static int
prefetch_word(int c)
{
	return isalnum(c) || c == '_';
}

/* Returns 1 if ua has a word ending in "bot" ("Googlebot/2.1",
 * "AhrefsBot", "bot"); "CUBOT_X19", a phone, has none. */
static int
prefetch_bot_word(const char *ua)
{
	const char *p;

	for (p = ua; (p = strcasestr(p, "bot")) != NULL; p += 3)
		if (!prefetch_word((unsigned char)p[3]))
			return 1;
	return 0;
}

int
prefetch_agent(const char *ua)
{
	size_t i;

	if (ua == NULL || *ua == '\0')
		return 0;
	for (i = 0; i < sizeof(prefetch_tokens) / sizeof(prefetch_tokens[0]);
	    i++)
		if (strcasestr(ua, prefetch_tokens[i]) != NULL)
			return 1;
	return prefetch_bot_word(ua);
}
