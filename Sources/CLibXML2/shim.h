#ifndef CLIBXML2_SHIM_H
#define CLIBXML2_SHIM_H
#include <libxml/xmlversion.h>
/* Debian's libxml2 is built with ICU; its headers then clash with Foundation's bundled ICU module
   in any Swift file that sees both. Loupe never touches the ICU fields, so hide ICU. */
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlerror.h>
#include <libxml/tree.h>
#include <libxml/HTMLparser.h>
#include <libxml/uri.h>

/* xmlFree is a mutable C global (a function pointer): Swift 6 rejects touching it directly. */
static inline void loupe_xmlFree(void *p) { xmlFree(p); }

/* Refuse every external entity and DTD load, process-wide: a second layer under the parser options. */
static xmlParserInputPtr loupe_denyExternalLoader(const char *url, const char *id, xmlParserCtxtPtr ctxt) {
    (void)url; (void)id; (void)ctxt;
    return NULL;
}
static inline void loupe_installDenyLoader(void) { xmlSetExternalEntityLoader(loupe_denyExternalLoader); }
#endif
