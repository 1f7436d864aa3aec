/** @odoo-module **/

/**
 * The operator pays the quarter's contributions over to the département: open the transfer, compute the nominative
 * recap, read it (the resident, the totals), pay over.
 *
 * Data prepared by tests/test_tour_resident_money.py: Paul Martin's AAH collected for January to March 2026 on his
 * 467 account, his minimum left paid, and a draft transfer of the quarter to the département.
 * Triggers rely on field names, button names and data values only, never on labels.
 */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("essms_resident_money_tour", {
    steps: () => [
        {
            content: "Open the quarter's transfer to the département",
            trigger: '.o_list_view .o_data_row td[name="payer_id"]:contains(Département des Pyrénées-Orientales)',
            run: "click",
        },
        {
            content: "Compute the nominative recap",
            trigger: '.o_form_view .o_statusbar_buttons button[name="action_compute"]',
            run: "click",
        },
        {
            content: "The recap lists the resident",
            trigger: '.o_field_widget[name="line_ids"] .o_data_row td[name="beneficiary_id"]:contains(Paul Martin)',
        },
        {
            content: "Three months of 700,00 € to pay over",
            trigger: '.o_field_widget[name="amount_paid_over"]:contains(100,00)',
        },
        {
            content: "Pay over",
            trigger: '.o_form_view .o_statusbar_buttons button[name="action_post"]',
            run: "click",
        },
        {
            content: "The transfer is paid over",
            trigger: '.o_statusbar_status button.o_arrow_button_current[data-value="posted"]',
        },
    ],
});
