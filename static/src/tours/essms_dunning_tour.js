/** @odoo-module **/

/**
 * The operator's dunning run: create a run, propose the letters, exclude one debtor, send; then, once the
 * sending job has run, find the letters sent, none for the excluded debtor, and the letters to print as one PDF.
 *
 * Data prepared by tests/test_tour_dunning.py: three residents, "Tour Jeanne Martin" (66100), "Tour Luis Garcia"
 * (11000) and "Tour Paul Petit" (66300), each with a month of contribution due twenty days ago. The operator
 * excludes Paul Petit. The test runs the sending job between the two tours, as the server does after the click.
 * Triggers rely on menu xml ids, field names, button names, states and data values only, never on English
 * labels, so the tours run unchanged in the French UI.
 */

import { registry } from "@web/core/registry";
import { rpc } from "@web/core/network/rpc";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const EXCLUDED = "Tour Paul Petit";
const REMINDED = ["Tour Luis Garcia", "Tour Jeanne Martin"];

function stateIs(state) {
    return `.o_form_view .o_statusbar_status button[data-value="${state}"].o_arrow_button_current`;
}

function letterRow(name) {
    return `.o_field_widget[name="letter_ids"] .o_data_row:has(td[name="partner_id"]:contains(${name}))`;
}

function openDunningRuns() {
    return [
        ...stepUtils.goToAppSteps("essms_billing.menu_essms_root", "Open the ESSMS Billing app"),
        {
            content: "Open the Recovery menu",
            trigger: '.o_main_navbar [data-menu-xmlid="essms_billing.menu_essms_recovery"]',
            run: "click",
        },
        {
            content: "Open the dunning runs",
            trigger: '.dropdown-item[data-menu-xmlid="essms_billing.essms_dunning_run_menu"]',
            run: "click",
        },
    ];
}

registry.category("web_tour.tours").add("essms_dunning_tour", {
    url: "/odoo",
    steps: () => [
        ...openDunningRuns(),
        {
            // Under load the app's first list may still be shown: its "New" would create something else.
            content: "Wait for the list of the dunning runs",
            trigger: '.o_list_renderer th[data-name="letter_count"]',
        },
        {
            content: "Create a run (dated today)",
            trigger: ".o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        {
            content: "Propose the letters",
            trigger: '.o_form_view .o_statusbar_buttons button[name="action_propose"]',
            run: "click",
        },
        {
            content: "The proposal is to review",
            trigger: stateIs("review"),
        },
        ...[EXCLUDED, ...REMINDED].map((name) => ({
            content: `${name} has a letter to send`,
            trigger: `${letterRow(name)} td[name="state"] [class*="text-bg-"], ${letterRow(name)} td[name="state"] .badge`,
        })),
        {
            content: `Exclude ${EXCLUDED}: the family is paying`,
            trigger: `${letterRow(EXCLUDED)} button[name="action_exclude"]`,
            run: "click",
        },
        {
            content: `${EXCLUDED}'s letter is excluded, by the operator`,
            trigger: `${letterRow(EXCLUDED)}.text-muted td[name="exclusion_reason"]:contains(/\\S/)`,
        },
        {
            content: "The others are still to send",
            trigger: `${letterRow(REMINDED[0])}:not(.text-muted) button[name="action_exclude"]`,
        },
        {
            content: "Send",
            trigger: '.o_form_view .o_statusbar_buttons button[name="action_send"]',
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The click returns at once: the run is being sent",
            trigger: stateIs("sending"),
        },
        {
            content: "The letters are being prepared: two to go",
            trigger: '.o_form_view div[name="essms_sending"] .o_field_widget[name="queued_count"]:contains(/^\\s*2\\s*$/)',
        },
        ...REMINDED.map((name) => ({
            content: `${name}'s letter is queued`,
            trigger: `${letterRow(name)}.text-info`,
        })),
        {
            content: `${EXCLUDED}'s letter stays excluded`,
            trigger: `${letterRow(EXCLUDED)}.text-muted`,
        },
    ],
});

registry.category("web_tour.tours").add("essms_dunning_tour_sent", {
    url: "/odoo",
    steps: () => [
        ...openDunningRuns(),
        {
            content: "Open the run, now sent",
            trigger: '.o_list_view .o_data_row td[name="state"]:has(.text-bg-success)',
            run: "click",
        },
        {
            content: "The run is sent",
            trigger: stateIs("sent"),
        },
        {
            content: "Nothing is being prepared any more",
            trigger: '.o_form_view:not(:has(div[name="essms_sending"]:visible))',
        },
        ...REMINDED.map((name) => ({
            content: `${name}'s letter is sent, with its PDF`,
            trigger: `${letterRow(name)}.text-success td[name="attachment_id"]:contains(.pdf)`,
        })),
        {
            content: `${EXCLUDED} has no letter`,
            trigger: `${letterRow(EXCLUDED)}.text-muted td[name="attachment_id"]:contains(/^\\s*$/)`,
        },
        {
            content: "The letters to print are on the run",
            trigger: '.o_form_view .o_field_widget[name="batch_attachment_id"]:contains(.pdf)',
        },
        {
            content: "Download the letters to print: one PDF",
            trigger: '.o_form_view .o_statusbar_buttons button[name="action_download_batch"]',
            async run() {
                // What the button opens, fetched rather than followed: a download would leave the tour's page.
                const runId = parseInt(window.location.pathname.split("/").pop());
                const action = await rpc("/web/dataset/call_kw/essms.dunning.run/action_download_batch", {
                    model: "essms.dunning.run",
                    method: "action_download_batch",
                    args: [[runId]],
                    kwargs: {},
                });
                const response = await fetch(action.url);
                const head = new TextDecoder().decode((await response.arrayBuffer()).slice(0, 5));
                if (!response.ok || head !== "%PDF-") {
                    throw new Error(`The letters to print are not a PDF (${response.status}, ${head})`);
                }
            },
        },
    ],
});
