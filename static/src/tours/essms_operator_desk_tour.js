/** @odoo-module **/

/**
 * The operator lands on their month's to-do, opens what waits in their establishment, then finds the
 * statements' list opened on "My establishments" and removes the filter to see the colleague's.
 *
 * Data prepared by tests/test_tour_operator_desk.py: "Foyer Tour Mien" (in the operator's portfolio) and
 * "Foyer Tour Collègue" (not in it), each with a statement of the current month not submitted yet.
 * Triggers rely on menu xml ids, field names and data values only, never on English labels.
 */

import { registry } from "@web/core/registry";

const MINE = "Foyer Tour Mien";
const THEIRS = "Foyer Tour Collègue";

registry.category("web_tour.tours").add("essms_operator_desk_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "The home page is the to-do: my establishment's card, with its statement not submitted",
            trigger: `.o_essms_desk_card:contains("${MINE}") .o_essms_desk_item[data-item="statement_draft"]`,
            run: "click",
        },
        {
            content: "The list of what was counted: my statement only",
            trigger: `.o_list_renderer .o_data_row:contains("${MINE}")`,
        },
        {
            content: "Not the colleague's",
            trigger: `.o_list_renderer:not(:has(.o_data_row:contains("${THEIRS}")))`,
        },
        {
            content: "Open the Billing menu",
            trigger: '.o_main_navbar [data-menu-xmlid="essms_billing.menu_essms_billing"]',
            run: "click",
        },
        {
            content: "Open the activity statements",
            trigger: '.dropdown-item[data-menu-xmlid="essms_billing.essms_activity_statement_menu_operator"]',
            run: "click",
        },
        {
            content: "The list opens on the filter My establishments",
            trigger: ".o_searchview_facet .o_facet_remove",
        },
        {
            content: "... with my statement",
            trigger: `.o_list_renderer .o_data_row:contains("${MINE}")`,
        },
        {
            content: "... without the colleague's statement",
            trigger: `.o_list_renderer:not(:has(.o_data_row:contains("${THEIRS}")))`,
        },
        {
            content: "Remove the filter My establishments",
            trigger: ".o_searchview_facet .o_facet_remove",
            run: "click",
        },
        {
            content: "The colleague's statement is there too: the filter narrows, it does not forbid",
            trigger: `.o_list_renderer .o_data_row:contains("${THEIRS}")`,
        },
    ],
});
