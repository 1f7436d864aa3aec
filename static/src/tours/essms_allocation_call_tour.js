/** @odoo-module **/

/**
 * The operator calls the month's twelfth of a global allocation (billing-rules §12): Billing › Call the twelfths,
 * the agreements not called yet for the month are proposed, call them, open the call and its invoice.
 *
 * Data prepared by tests/test_tour_allocation.py: an ESAT whose agreement with the ARS has this year's arrêté,
 * nothing called yet. Triggers rely on menu ids, field names, button names and data values only, never on labels.
 */

import { registry } from "@web/core/registry";

const AGREEMENT = "ARS – ESAT Tour";

registry.category("web_tour.tours").add("essms_allocation_call_tour", {
    steps: () => [
        {
            content: "Open the billing menu",
            trigger: '.o_main_navbar [data-menu-xmlid="essms_billing.menu_essms_billing"]',
            run: "click",
        },
        {
            content: "Call the twelfths",
            trigger: '.dropdown-item[data-menu-xmlid="essms_billing.essms_allocation_call_wizard_menu"]',
            run: "click",
        },
        {
            content: "The agreement not called yet for the month is proposed",
            trigger: `.modal .o_field_widget[name="agreement_ids"] .o_data_row:contains(${AGREEMENT})`,
        },
        {
            content: "Call",
            trigger: '.modal-footer button[name="action_call"]',
            run: "click",
        },
        {
            content: "The call is listed: open it",
            trigger: `.o_list_view .o_data_row td[name="agreement_id"]:contains(${AGREEMENT})`,
            run: "click",
        },
        {
            content: "Its invoice to the ARS is there",
            trigger: '.o_form_view .o_field_widget[name="move_id"] a:contains(TOUR/)',
        },
    ],
});
