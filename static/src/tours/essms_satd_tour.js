/** @odoo-module **/

/**
 * The SATD (public-creditor mode): the operator opens the SATDs from the Recovery menu, opens the draft one to the
 * debtor's bank, issues it, and sees what the bank freezes.
 *
 * Data prepared by tests/test_tour_satd.py: a public EHPAD, a titre of 480,00 € of "Tour Redevable" taken in
 * charge and authorised by the ordonnateur, and a draft SATD to the debtor's bank. Triggers rely on menu xml ids,
 * field and button names and data values only, so the tour runs in the French UI.
 */

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("essms_satd_tour", {
    steps: () => [
        ...stepUtils.goToAppSteps("essms_billing.menu_essms_root", "Open the ESSMS Billing app"),
        {
            content: "Open the Recovery menu",
            trigger: '.o_main_navbar [data-menu-xmlid="essms_billing.menu_essms_recovery"]',
            run: "click",
        },
        {
            content: "Open the SATDs",
            trigger: '.dropdown-item[data-menu-xmlid="essms_billing.essms_third_party_notice_menu"]',
            run: "click",
        },
        {
            content: "Open the draft SATD of the debtor",
            trigger: '.o_list_view .o_data_row td[name="debtor_id"]:contains("Tour Redevable")',
            run: "click",
        },
        {
            content: "Issue the SATD",
            trigger: '.o_form_view button[name="action_issue"]',
            run: "click",
        },
        {
            content: "Issued: the bank freezes the amount claimed",
            trigger: '.o_form_view .o_field_widget[name="frozen_amount"]:contains("480,00")',
        },
        {
            content: "And leaves the unseizable balance available",
            trigger: '.o_form_view .o_field_widget[name="left_available"]:contains("646,52")',
        },
    ],
});
