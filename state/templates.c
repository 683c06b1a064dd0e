#include <string.h>
#include <strings.h>

#include "common/fz.h"
#include "state/templates.h"

/* Sections as JSON text: kept readable, parsed on use (templates are
 * read when a project is created, not on a hot path). */
static const struct {
	const char	*id;
	const char	*name;
	const char	*type;
	const char	*sections;
} builtins[] = {
	{ "tpl_WebDesign", "Website handover", "Web Design",
	    "[{\"title\":\"Access\",\"items\":["
	    "{\"type\":\"credential\",\"label\":\"CMS admin\",\"url\":\"\","
	    "\"username\":\"\"},"
	    "{\"type\":\"credential\",\"label\":\"Hosting control panel\","
	    "\"url\":\"\",\"username\":\"\"}]},"
	    "{\"title\":\"Documents\",\"items\":["
	    "{\"type\":\"document\",\"label\":\"Style guide\",\"url\":\"\"},"
	    "{\"type\":\"document\",\"label\":\"Content editing guide\","
	    "\"url\":\"\"}]},"
	    "{\"title\":\"Next steps\",\"items\":["
	    "{\"type\":\"note\",\"label\":\"Support and warranty\","
	    "\"text\":\"\"}]}]" },
	{ "tpl_SEO", "SEO engagement closeout", "SEO",
	    "[{\"title\":\"Reports\",\"items\":["
	    "{\"type\":\"document\",\"label\":\"Final ranking report\","
	    "\"url\":\"\"},"
	    "{\"type\":\"link\",\"label\":\"Analytics dashboard\","
	    "\"url\":\"\"}]},"
	    "{\"title\":\"Access\",\"items\":["
	    "{\"type\":\"credential\",\"label\":\"Search Console\","
	    "\"url\":\"\",\"username\":\"\"}]},"
	    "{\"title\":\"Recommendations\",\"items\":["
	    "{\"type\":\"note\",\"label\":\"Next quarter\",\"text\":\"\"}]}]" },
	{ "tpl_Branding", "Brand identity handover", "Branding",
	    "[{\"title\":\"Brand assets\",\"items\":["
	    "{\"type\":\"document\",\"label\":\"Logo package\",\"url\":\"\"},"
	    "{\"type\":\"document\",\"label\":\"Brand guidelines\","
	    "\"url\":\"\"}]},"
	    "{\"title\":\"Usage\",\"items\":["
	    "{\"type\":\"note\",\"label\":\"Colour and type rules\","
	    "\"text\":\"\"}]}]" },
};

json_t *
templates_list(void)
{
	json_t *arr, *t;
	size_t i;

	if ((arr = json_array()) == NULL)
		return NULL;
	for (i = 0; i < FZ_NELEM(builtins); i++) {
		t = json_pack("{s:s, s:s, s:s, s:o}", "id", builtins[i].id,
		    "name", builtins[i].name, "projectType", builtins[i].type,
		    "sections", json_loads(builtins[i].sections, 0, NULL));
		if (t == NULL || json_array_append_new(arr, t) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

json_t *
templates_sections(const char *id)
{
	size_t i;

	for (i = 0; i < FZ_NELEM(builtins); i++)
		if (strcmp(builtins[i].id, id) == 0)
			return json_loads(builtins[i].sections, 0, NULL);
	return NULL;
}

const char *
templates_for_type(const char *project_type)
{
	size_t i;

	for (i = 0; i < FZ_NELEM(builtins); i++)
		if (strcasecmp(builtins[i].type, project_type) == 0)
			return builtins[i].id;
	return NULL;
}
