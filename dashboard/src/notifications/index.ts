import ForwardToInboxIcon from "@mui/icons-material/ForwardToInbox";
import OutboxIcon from "@mui/icons-material/Outbox";
import { ChannelCreate } from "./ChannelCreate";
import { ChannelEdit } from "./ChannelEdit";
import { ChannelList } from "./ChannelList";
import { ChannelShow } from "./ChannelShow";
import { DeliveryList } from "./DeliveryList";

/** The `notification-channels` resource: everyone reads the channels; admins create, edit, test and delete them. */
export const channels = {
  list: ChannelList,
  show: ChannelShow,
  create: ChannelCreate,
  edit: ChannelEdit,
  icon: ForwardToInboxIcon,
  recordRepresentation: "name",
  options: { label: "Channels" },
};

/** The `notification-deliveries` resource (operators and admins): every message with its attempts. */
export const deliveries = {
  list: DeliveryList,
  icon: OutboxIcon,
  options: { label: "Deliveries" },
};

export { AlarmDeliveries } from "./AlarmDeliveries";
