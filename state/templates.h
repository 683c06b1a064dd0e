/*
 * templates.h: the built-in handover-pack templates, one per common
 * project type, each with default sections a new project's pack starts
 * from.
 */
#ifndef FZ_STATE_TEMPLATES_H
#define FZ_STATE_TEMPLATES_H

#include <jansson.h>

/* Returns a new array of {"id","name","projectType","sections"}; caller
 * decrefs. NULL when out of memory. */
json_t	*templates_list(void);

/* Returns a new copy of template id's sections, or NULL if there is no
 * such template. Caller decrefs. */
json_t	*templates_sections(const char *id);

/* Returns the id of the template for projectType (case-insensitive), or
 * NULL. Static. */
const char	*templates_for_type(const char *project_type);

#endif
