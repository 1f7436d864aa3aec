/** @odoo-module **/

/**
 * The README's "Demo walkthrough", residents' money and the month's debit order, clicked as the operator does it on
 * the demo database as `make run` installs it (tests/test_walkthrough.py runs them and checks what the clicks did).
 *
 * - essms_walk_resident_money: the movements of the resident whose income is collected (AAH received, minimum left
 *   paid, contributions paid over), the last month's transfer paid over and its nominative recap printed, then the
 *   resident's statement printed from his file.
 * - essms_walk_debit_order: the month's SEPA debit order the demo prepared (OCA's modules and the bridge, installed
 *   by `make run`): confirmed, then its pain.008 file generated.
 *
 * Triggers rely on menu xml ids, field names, button names and the demo's names; the print menu's item is found by
 * its French name.
 */

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const RESIDENT = "Christophe Gauthier";
const SLOW = 60000; // a step waiting for a server action on a loaded 2-core machine

function openMenu(topXmlid, xmlid, description, listColumn) {
    return [
        {
            content: `Open the menu of ${description}`,
            trigger: `.o_main_navbar [data-menu-xmlid="${topXmlid}"]`,
            run: "click",
        },
        {
            content: `Open ${description}`,
            trigger: `.dropdown-item[data-menu-xmlid="${xmlid}"]`,
            run: "click",
        },
        {
            content: `Wait for the list of ${description}`,
            trigger: `.o_list_renderer th[data-name="${listColumn}"]`,
        },
    ];
}

function openApp() {
    return [
        ...stepUtils.goToAppSteps("essms_billing.menu_essms_root", "Open the ESSMS Billing app"),
        {
            content: "The app is open",
            trigger: '.o_main_navbar [data-menu-xmlid="essms_billing.menu_essms_referential"]',
        },
    ];
}

function stateIs(state) {
    return `.o_form_view .o_statusbar_status button[data-value="${state}"].o_arrow_button_current`;
}

function shot(name) {
    return {
        content: `Screenshot ${name}`,
        trigger: "body",
        async run() {
            console.log(`essms-screenshot:${name}`);
            await new Promise((resolve) => setTimeout(resolve, 400));
        },
    };
}

const NO_ERROR = {
    content: "No error is shown",
    trigger: "body:not(:has(.o_error_dialog)):not(:has(.modal .o_dialog_error))",
};

registry.category("web_tour.tours").add("essms_walk_resident_money", {
    url: "/odoo",
    steps: () => [
        ...openApp(),
        // The resident's 467 movements: income received, minimum left paid, contributions paid over.
        ...openMenu("essms_billing.menu_essms_payments", "essms_billing.essms_third_party_movement_menu",
            "the residents' money movements", "essms_third_party_amount"),
        {
            content: `Unfold ${RESIDENT}'s movements`,
            trigger: `.o_list_renderer .o_group_header:contains("${RESIDENT}")`,
            run: "click",
        },
        {
            content: "His AAH received from the CAF",
            trigger: '.o_data_row:has(td[name="essms_income_source"]:contains(AAH)) td[name="essms_third_party_amount"]:contains(033,32)',
        },
        {
            content: "His minimum left paid",
            trigger: '.o_data_row td[name="essms_third_party_amount"]:contains(310,00)',
        },
        shot("resident_money_movements"),
        // The last month's transfer to the département: pay it over, print its nominative recap.
        ...openMenu("essms_billing.menu_essms_payments", "essms_billing.essms_third_party_transfer_menu",
            "the contributions paid over", "amount_paid_over"),
        {
            content: "Open the transfer left to pay over",
            trigger: '.o_list_view .o_data_row:not(:has(td[name="state"]:contains(Reversé))) td[name="payer_id"]',
            run: "click",
        },
        { content: "It is computed, to pay over", trigger: stateIs("computed") },
        {
            content: `The recap lists ${RESIDENT}`,
            trigger: `.o_field_widget[name="line_ids"] .o_data_row td[name="beneficiary_id"]:contains("${RESIDENT}")`,
        },
        shot("transfer_recap"),
        {
            content: "Pay over (Reverser)",
            trigger: 'body:not(:has(.modal)) .o_form_view .o_statusbar_buttons button[name="action_post"]',
            run: "click",
        },
        { content: "It is paid over", trigger: stateIs("posted"), timeout: SLOW },
        NO_ERROR,
        {
            content: "Print the nominative recap",
            trigger: '.o_form_view .o_statusbar_buttons button[name="action_print_recap"]',
            run: "click",
        },
        {
            content: "The recap is downloaded, without an error",
            timeout: SLOW,
            trigger: 'body:not(:has(.o_error_dialog)) .o_form_view .o_statusbar_buttons button[name="action_print_recap"]:enabled',
        },
        // The resident's statement, from his file.
        ...openMenu("essms_billing.menu_essms_referential", "essms_billing.essms_beneficiary_menu", "the residents",
            "file_number"),
        {
            content: `Look for ${RESIDENT}`,
            trigger: ".o_searchview_input",
            run: `edit ${RESIDENT}`,
        },
        { content: "Search", trigger: ".o_searchview_input", run: "press Enter" },
        {
            content: `Open ${RESIDENT}'s file`,
            trigger: `.o_list_view .o_data_row td:contains("${RESIDENT}")`,
            run: "click",
        },
        {
            content: "His file is open",
            trigger: `.o_form_view .o_breadcrumb:contains("${RESIDENT}")`,
        },
        {
            content: "Open the actions menu",
            trigger: ".o_control_panel .o_cp_action_menus button.dropdown-toggle",
            run: "click",
        },
        {
            content: "Print the statement of the funds held for him",
            trigger: '.o-dropdown--menu .dropdown-item:contains("Relevé des fonds déposés du résident")',
            run: "click",
        },
        {
            content: "The statement is downloaded, without an error",
            timeout: SLOW,
            trigger: `body:not(:has(.o_error_dialog)) .o_form_view .o_breadcrumb:contains("${RESIDENT}")`,
        },
        NO_ERROR,
    ],
});

registry.category("web_tour.tours").add("essms_walk_debit_order", {
    url: "/odoo",
    steps: () => [
        ...openApp(),
        ...openMenu("essms_billing.menu_essms_payments", "essms_billing_sepa.account_payment_order_menu_essms",
            "the debit orders", "payment_mode_id"),
        {
            content: "Open the month's debit order, in draft",
            trigger: ".o_list_view .o_data_row:first td[name='name']",
            run: "click",
        },
        { content: "It is a draft", trigger: stateIs("draft") },
        {
            content: "Its lines: the residents' debits with their mandates",
            trigger: '.o_form_view .o_field_widget[name="payment_line_ids"] .o_data_row:contains(RUM-)',
        },
        shot("debit_order"),
        {
            content: "Confirm the payments",
            trigger: 'body:not(:has(.modal)) .o_form_view .o_statusbar_buttons button[name="draft2open"]',
            run: "click",
        },
        { content: "It is confirmed", trigger: stateIs("open"), timeout: SLOW },
        {
            content: "Generate the pain.008 file",
            trigger: 'body:not(:has(.modal)) .o_form_view .o_statusbar_buttons button[name="open2generated"]',
            run: "click",
        },
        {
            content: "The file is there",
            timeout: SLOW,
            trigger: '.o_form_view .o_field_widget[name="name"]:contains(.xml), .o_form_view .o_field_widget[name="name"] input',
        },
        NO_ERROR,
    ],
});
