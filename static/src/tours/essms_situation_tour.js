/** @odoo-module **/

/**
 * The beneficiary's situation (billing-rules §9, §10), clicked as the operator does it: a MAS resident was not
 * billed because the run lacked his fund and his resources (a blocked line). From the ESSMS Billing app, open his
 * file, fill in the tab "Situation for billing" (date, monthly resources, fund, third payer of the daily hospital
 * fee), save, then open the month's run and compute it again: the fund's line and the resident's appear.
 * tests/test_tour_situation.py prepares the run and checks what was written and billed.
 *
 * Triggers rely on menu xml ids, field names and the test's proper nouns, never on labels.
 */

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const RESIDENT = "Tour Résident Blaise Ferrer";
const FUND = "CPAM tour des Pyrénées-Orientales";
const MUTUAL = "Mutuelle tour Catalane";

function menu(xmlid) {
    return `.o_main_navbar [data-menu-xmlid="essms_billing.${xmlid}"]`;
}

function openMenu(topXmlid, xmlid, description) {
    return [
        { content: `Open the menu of ${description}`, trigger: menu(topXmlid), run: "click" },
        {
            content: `Open ${description}`,
            trigger: `.dropdown-item[data-menu-xmlid="essms_billing.${xmlid}"]`,
            run: "click",
        },
    ];
}

function pickInRow(field, name, search) {
    return [
        {
            content: `Look for ${name}`,
            trigger: `.o_field_widget[name="situation_ids"] .o_data_row .o_field_widget[name="${field}"] input`,
            run: `edit ${search}`,
        },
        {
            content: `Pick ${name}`,
            trigger: `.o-autocomplete--dropdown-menu .o-autocomplete--dropdown-item a:contains("${name}")`,
            run: "click",
        },
    ];
}

registry.category("web_tour.tours").add("essms_situation_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("essms_billing.menu_essms_root", "Open the ESSMS Billing app"),
        { content: "The app is open", trigger: menu("menu_essms_referential") },
        ...openMenu("menu_essms_referential", "essms_beneficiary_menu", "the beneficiaries"),
        {
            content: `Open ${RESIDENT}'s file`,
            trigger: `.o_kanban_record:contains("${RESIDENT}"), .o_data_row:contains("${RESIDENT}") td.o_data_cell`,
            run: "click",
        },
        {
            content: "Open the tab of the situation for billing",
            trigger: '.o_form_view .o_notebook .nav-link[name="situations"]',
            run: "click",
        },
        {
            content: "Add a situation",
            trigger: '.o_field_widget[name="situation_ids"] .o_field_x2many_list_row_add a',
            run: "click",
        },
        {
            content: "From the 1st of January 2026",
            trigger: '.o_field_widget[name="situation_ids"] .o_data_row .o_field_widget[name="date_from"] input',
            run: "edit 01/01/2026",
        },
        {
            content: "Monthly resources of 600,00",
            trigger: '.o_field_widget[name="situation_ids"] .o_data_row .o_field_widget[name="resources_monthly"] input',
            run: "edit 600,00",
        },
        ...pickInRow("health_fund_id", FUND, "CPAM tour"),
        ...pickInRow("fjh_third_payer_id", MUTUAL, "Mutuelle tour"),
        {
            content: "Save the file",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "The file is saved",
            trigger: ".o_form_view .o_form_saved, .o_form_view:not(:has(.o_form_button_save:visible))",
        },
        ...openMenu("menu_essms_billing", "essms_billing_run_menu", "the billing runs"),
        {
            content: "Open the March run of the MAS",
            trigger: '.o_list_view .o_data_row:contains("MAS tour La Tramontane") td[name="establishment_ids"]',
            run: "click",
        },
        {
            content: "The resident's line is blocked",
            trigger: `.o_field_widget[name="line_ids"] .o_data_row:contains("${RESIDENT}")`,
        },
        {
            content: "Compute the run again",
            trigger: '.o_form_view .o_statusbar_buttons button[name="action_compute"]',
            run: "click",
        },
        {
            content: "The fund is billed the resident's daily price",
            trigger: `.o_field_widget[name="line_ids"] .o_data_row:has(td[name="beneficiary_id"]:contains("${RESIDENT}")):has(td[name="payer_id"]:contains("${FUND}"))`,
            timeout: 60000,
        },
        {
            content: "The mutual insurance is billed the days of daily hospital fee beyond the guarantee",
            trigger: `.o_field_widget[name="line_ids"] .o_data_row:has(td[name="beneficiary_id"]:contains("${RESIDENT}")):has(td[name="payer_id"]:contains("${MUTUAL}"))`,
        },
        {
            content: "No error is shown",
            trigger: "body:not(:has(.o_error_dialog))",
        },
    ],
});
