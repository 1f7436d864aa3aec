/** @odoo-module **/

/**
 * A month too large to be invoiced in the click (issue 20): the operator asks for the invoices, the run says the job
 * runners create them part after part and how many parts are done; once the parts are done, the run is invoiced
 * and its invoices are there.
 *
 * Data prepared by tests/test_tour_billing.py (TestBillingRunPartsTour): "Foyer Tour Les Parts" (code TBP), its run
 * of July 2025 computed for three residents; the test lowers the threshold of a queued invoicing to one invoice and
 * a part to two invoices, and runs the parts between the two tours, as Odoo's job runners would.
 * Triggers rely on menu xml ids, field names, button names and data values only, never on English labels.
 */

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const ESTABLISHMENT = "Foyer Tour Les Parts";

function openRun() {
    return [
        ...stepUtils.goToAppSteps("essms_billing.menu_essms_root", "Open the ESSMS Billing app"),
        {
            content: "Open the Billing menu",
            trigger: '.o_main_navbar [data-menu-xmlid="essms_billing.menu_essms_billing"]',
            run: "click",
        },
        {
            content: "Open the billing runs",
            trigger: '.dropdown-item[data-menu-xmlid="essms_billing.essms_billing_run_menu"]',
            run: "click",
        },
        {
            content: "Open the run of the establishment",
            trigger: `.o_list_view .o_data_row:has(td[name="establishment_ids"]:contains(${ESTABLISHMENT})) td[name="name"]`,
            run: "click",
        },
    ];
}

function stateIs(state) {
    return `.o_form_view .o_statusbar_status button[data-value="${state}"].o_arrow_button_current`;
}

registry.category("web_tour.tours").add("essms_billing_run_parts_tour", {
    url: "/odoo",
    steps: () => [
        ...openRun(),
        {
            content: "The run is computed, nothing is being invoiced",
            trigger: 'body:not(:has(.o_form_view .alert-warning [name="chunk_total"])) ' + stateIs("computed"),
        },
        {
            content: "Invoice the run",
            trigger: '.o_form_view .o_statusbar_buttons button[name="action_invoice"]',
            run: "click",
        },
        {
            content: "Confirm the invoicing",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The run says its invoices are created by the job runners: 0 of 2 parts done",
            trigger:
                '.o_form_view .alert-warning:has(.o_field_widget[name="chunk_done"]:contains(/^\\s*0\\s*$/))' +
                ':has(.o_field_widget[name="chunk_total"]:contains(/^\\s*2\\s*$/))',
            run: () => console.log("essms-screenshot:run_parts_queued"),
        },
        {
            content: "It cannot be invoiced a second time meanwhile, and is not invoiced yet",
            trigger:
                'body:not(:has(.o_form_view .o_statusbar_buttons button[name="action_invoice"])) ' + stateIs("computed"),
        },
    ],
});

registry.category("web_tour.tours").add("essms_billing_run_parts_done_tour", {
    url: "/odoo",
    steps: () => [
        ...openRun(),
        {
            content: "The parts are done: the run is invoiced and says nothing is left to the job runners",
            trigger: 'body:not(:has(.o_form_view .alert-warning [name="chunk_total"])) ' + stateIs("invoiced"),
        },
        {
            content: "with its invoices",
            trigger: '.o_form_view .o-form-buttonbox button[name="action_view_moves"]',
            run: () => console.log("essms-screenshot:run_parts_done"),
        },
        {
            content: "Open its invoices",
            trigger: '.o_form_view .o-form-buttonbox button[name="action_view_moves"]',
            run: "click",
        },
        {
            content: "The département's invoices are there",
            trigger: '.o_list_view .o_data_row:contains("Département des Pyrénées-Orientales")',
        },
    ],
});
