#include <stdio.h>
#include <string.h>

#include "relay/packcheck.h"
#include "relay/validate.h"

/* Copies field from item to out after checking it with a nested vctx. */
static int
packcheck_field(struct vctx *v, const char *path, const json_t *item,
    json_t *out, const char *field, int required, size_t max, int multiline)
{
	char name[256];
	struct vctx sub;
	const char *s;
	json_t *d;
	size_t i;

	validate_begin(&sub, item);
	s = validate_string(&sub, field, required, max, multiline);
	if (sub.details != NULL) {
		json_array_foreach(sub.details, i, d) {
			snprintf(name, sizeof(name), "%s.%s", path, field);
			validate_fail(v, name, json_string_value(
			    json_object_get(d, "message")));
		}
		json_decref(sub.details);
		return -1;
	}
	if (s != NULL)
		json_object_set_new(out, field, json_string(s));
	return 0;
}

static int
packcheck_present(struct vctx *v, const char *path, const json_t *item,
    const char *field)
{
	char name[256];

	if (json_is_string(json_object_get(item, field)))
		return 0;
	snprintf(name, sizeof(name), "%s.%s", path, field);
	validate_fail(v, name, json_object_get(item, field) == NULL ?
	    "is required" : "must be a string");
	return -1;
}

static int
packcheck_url(struct vctx *v, const char *path, const json_t *out)
{
	const char *u = json_string_value(json_object_get(out, "url"));
	char name[256];

	if (u == NULL || *u == '\0' || strncmp(u, "https://", 8) == 0 ||
	    strncmp(u, "http://", 7) == 0)
		return 0;
	snprintf(name, sizeof(name), "%s.url", path);
	validate_fail(v, name, "must be an http:// or https:// URL");
	return -1;
}

static json_t *
packcheck_item(struct vctx *v, const char *path, const json_t *item)
{
	const char *type;
	json_t *out;
	char name[256];
	int bad = 0;

	if (!json_is_object(item)) {
		validate_fail(v, path, "must be an object");
		return NULL;
	}
	if ((out = json_object()) == NULL)
		return NULL;
	type = json_string_value(json_object_get(item, "type"));
	if (type == NULL || (strcmp(type, "link") != 0 &&
	    strcmp(type, "document") != 0 && strcmp(type, "note") != 0 &&
	    strcmp(type, "credential") != 0)) {
		snprintf(name, sizeof(name), "%s.type", path);
		validate_fail(v, name, "must be link, document, note or "
		    "credential");
		bad = 1;
	} else
		json_object_set_new(out, "type", json_string(type));
	bad |= packcheck_field(v, path, item, out, "label", 1, 200, 0);
	/* url and text must be there but may be "": a template's
	 * placeholders round-trip until they are filled in. */
	if (type != NULL && (strcmp(type, "link") == 0 ||
	    strcmp(type, "document") == 0)) {
		bad |= packcheck_present(v, path, item, "url") ||
		    packcheck_field(v, path, item, out, "url", 0, 2048, 0) ||
		    packcheck_url(v, path, out);
	} else if (type != NULL && strcmp(type, "note") == 0)
		bad |= packcheck_present(v, path, item, "text") ||
		    packcheck_field(v, path, item, out, "text", 0, 20000, 1);
	else if (type != NULL && strcmp(type, "credential") == 0) {
		bad |= packcheck_field(v, path, item, out, "url", 0, 2048, 0) ||
		    packcheck_url(v, path, out);
		bad |= packcheck_field(v, path, item, out, "username", 0, 200,
		    0);
		bad |= packcheck_field(v, path, item, out, "password", 0, 1000,
		    0);
	}
	if (bad) {
		json_decref(out);
		return NULL;
	}
	return out;
}

static json_t *
packcheck_section(struct vctx *v, const char *path, const json_t *sec)
{
	json_t *out, *items, *oitems, *it;
	char name[96];
	size_t i;
	int bad = 0;

	if (!json_is_object(sec)) {
		validate_fail(v, path, "must be an object");
		return NULL;
	}
	if ((out = json_object()) == NULL || (oitems = json_array()) == NULL) {
		json_decref(out);
		return NULL;
	}
	bad |= packcheck_field(v, path, sec, out, "title", 1, 200, 0);
	items = json_object_get(sec, "items");
	snprintf(name, sizeof(name), "%s.items", path);
	if (items == NULL || json_is_null(items))
		items = NULL;
	else if (!json_is_array(items)) {
		validate_fail(v, name, "must be an array");
		bad = 1;
	} else if (json_array_size(items) > PACKCHECK_MAX_ITEMS) {
		validate_fail(v, name, "at most 200 items per section");
		bad = 1;
	} else {
		json_array_foreach(items, i, it) {
			char ipath[160];
			json_t *o;

			snprintf(ipath, sizeof(ipath), "%s[%zu]", name, i);
			if ((o = packcheck_item(v, ipath, it)) == NULL)
				bad = 1;
			else
				json_array_append_new(oitems, o);
		}
	}
	json_object_set_new(out, "items", oitems);
	if (bad) {
		json_decref(out);
		return NULL;
	}
	return out;
}

json_t *
packcheck_sections(struct vctx *v)
{
	const json_t *secs = json_object_get(v->body, "sections");
	json_t *out = NULL, *arr, *s, *o;
	char path[32];
	size_t i;
	int bad = 0;

	if (secs == NULL || json_is_null(secs)) {
		validate_fail(v, "sections", "is required");
		return NULL;
	}
	if (!json_is_array(secs)) {
		validate_fail(v, "sections", "must be an array");
		return NULL;
	}
	if (json_array_size(secs) > PACKCHECK_MAX_SECTIONS) {
		validate_fail(v, "sections", "at most 50 sections");
		return NULL;
	}
	if ((arr = json_array()) == NULL)
		return NULL;
	json_array_foreach(secs, i, s) {
		snprintf(path, sizeof(path), "sections[%zu]", i);
		if ((o = packcheck_section(v, path, s)) == NULL)
			bad = 1;
		else
			json_array_append_new(arr, o);
	}
	if (!bad)
		out = json_pack("{s:O}", "sections", arr);
	json_decref(arr);
	return out;
}
