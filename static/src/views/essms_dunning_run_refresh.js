/** @odoo-module **/
// The dunning run's form reloads itself when the sending job has finished its letters: the server sends
// "essms_dunning_run_sent" on the bus to the user who clicked Send (see essms.dunning.run._notify_sent).

import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";

import { Component, onWillDestroy } from "@odoo/owl";

export const NOTIFICATION = "essms_dunning_run_sent";

export class EssmsDunningRunRefresh extends Component {
    static props = standardWidgetProps;
    static template = "essms_billing.DunningRunRefresh";

    setup() {
        const bus = useService("bus_service");
        const onSent = ({ run_id }) => {
            const record = this.props.record;
            if (run_id === record.resId && !record.dirty) {
                record.load();
            }
        };
        bus.subscribe(NOTIFICATION, onSent);
        bus.start();
        onWillDestroy(() => bus.unsubscribe(NOTIFICATION, onSent));
    }
}

registry.category("view_widgets").add("essms_dunning_run_refresh", { component: EssmsDunningRunRefresh });
