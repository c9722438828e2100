import { Divider, ListSubheader, type Theme, useMediaQuery } from "@mui/material";
import type { ReactNode } from "react";
import { AppBar, Layout, Menu, TitlePortal, useResourceDefinitions, useSidebarState } from "react-admin";
import { TelehubUserMenu } from "./account/UserMenuItems";
import { AlarmBadge } from "./alarms/AlarmBadge";
import { CredentialWatch } from "./auth/CredentialWatch";
import { LiveResync } from "./live/LiveResync";
import { LiveStatusChip } from "./live/LiveStatusChip";

/**
 * The title, the live status, the unacknowledged-alarm badge, the refresh button and the user menu. On a phone the live status
 * is an icon (its text in the title) and the title is cut with an ellipsis, so nothing collides at 390 px.
 */
function TelehubAppBar() {
  const phone = useMediaQuery((theme: Theme) => theme.breakpoints.down("sm"));
  return (
    <AppBar userMenu={<TelehubUserMenu />}>
      <TitlePortal sx={{ minWidth: 0, fontSize: { xs: "1rem", sm: undefined } }} />
      <LiveStatusChip compact={phone} />
      <AlarmBadge />
    </AppBar>
  );
}

/** The resources the menu lists under its "Alarms" heading, in this order. */
const ALARM_RESOURCES = ["alarms", "alarm-rules", "notification-channels", "notification-deliveries"];

/** The menu: the fleet overview (home) first, then the resources, then the alarm pages under their heading. */
function TelehubMenu() {
  const resources = useResourceDefinitions();
  const [open] = useSidebarState();
  const listed = Object.keys(resources).filter((name) => resources[name]?.hasList);
  const alarmPages = ALARM_RESOURCES.filter((name) => listed.includes(name));
  return (
    <Menu>
      <Menu.DashboardItem primaryText="Fleet" />
      {listed
        .filter((name) => !ALARM_RESOURCES.includes(name))
        .map((name) => (
          <Menu.ResourceItem key={name} name={name} />
        ))}
      <Divider />
      {open && <ListSubheader sx={{ bgcolor: "transparent", lineHeight: "32px" }}>Alarms</ListSubheader>}
      {alarmPages.map((name) => (
        <Menu.ResourceItem key={name} name={name} />
      ))}
    </Menu>
  );
}

/**
 * The page is as wide as the window (react-admin's layout grows to fit its widest content): a
 * table too wide for it (the device list beside the menu, any list on a phone) scrolls sideways
 * inside its card instead of the whole page.
 */
const WINDOW_WIDTH = {
  minWidth: 0,
  "& .RaLayout-content, & .RaList-main, & .RaList-content": { minWidth: 0 },
  "& .RaDatagrid-tableWrapper": { overflowX: "auto" },
};

/**
 * react-admin's layout with the live channel's status and the account menu in the app bar;
 * reloads after missed live updates; shows the login page as soon as the live channel says the login ended.
 */
export function TelehubLayout({ children }: { children: ReactNode }) {
  return (
    <Layout appBar={TelehubAppBar} menu={TelehubMenu} sx={WINDOW_WIDTH}>
      <LiveResync />
      <CredentialWatch />
      {children}
    </Layout>
  );
}
