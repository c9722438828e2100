import type { NotificationDelivery } from "@telehub/hub";
import {
  Datagrid,
  DateField,
  FunctionField,
  List,
  ReferenceField,
  ReferenceInput,
  SelectInput,
  TextField,
  TextInput,
  useRecordContext,
} from "react-admin";
import { choicesOf } from "../alarm-rules/versioned-save";
import { DeliveryAttempts } from "./DeliveryAttempts";
import { DeliveryStatusChip } from "./DeliveryStatusChip";

const STATUSES = choicesOf(["pending", "delivered", "failed"]);

const filters = [
  <ReferenceInput key="channelId" source="channelId" reference="notification-channels" alwaysOn>
    <SelectInput label="Channel" optionText="name" emptyText="Any" />
  </ReferenceInput>,
  <SelectInput key="status" source="status" choices={STATUSES} emptyText="Any" alwaysOn />,
  <TextInput key="alarmId" source="alarmId" label="Alarm id" />,
];

function Expanded() {
  const delivery = useRecordContext<NotificationDelivery>();
  return delivery ? <DeliveryAttempts delivery={delivery} /> : null;
}

/** Every notification message, newest first (the hub's order), filtered by channel, status or alarm; a row opens its attempts and message. */
export function DeliveryList() {
  return (
    <List filters={filters} perPage={25} sort={{ field: "createdAt", order: "DESC" }} empty={false}>
      <Datagrid expand={<Expanded />} bulkActionButtons={false} rowClick="expand">
        <DateField source="createdAt" label="Created" showTime sortable={false} />
        <ReferenceField source="channelId" reference="notification-channels" label="Channel" sortable={false} link="show" />
        <FunctionField<NotificationDelivery>
          label="Kind"
          render={(delivery) => (delivery.event ? `${delivery.kind}: ${delivery.event}` : delivery.kind)}
        />
        <TextField source="summary" sortable={false} />
        <FunctionField<NotificationDelivery> label="Status" render={(delivery) => <DeliveryStatusChip delivery={delivery} />} />
        <FunctionField<NotificationDelivery> label="Attempts" render={(delivery) => delivery.attempts.length} />
      </Datagrid>
    </List>
  );
}
