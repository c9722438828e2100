import ManageAccountsIcon from "@mui/icons-material/ManageAccounts";
import PhonelinkEraseIcon from "@mui/icons-material/PhonelinkErase";
import { ListItemIcon, ListItemText, MenuItem } from "@mui/material";
import { forwardRef, useState } from "react";
import { Confirm, Logout, UserMenu, useLogout, useNotify, useRedirect, useUserMenu } from "react-admin";
import { hubFetch } from "../api";
import { forgetIdentity } from "../auth/credentials";
import { markSessionEnded } from "../auth/session-api";
import { useIdentity } from "../auth/useIdentity";

/** "Account": who is logged in, and the password change. */
const AccountItem = forwardRef<HTMLLIElement>(function AccountItem(_props, ref) {
  const menu = useUserMenu();
  const redirect = useRedirect();
  return (
    <MenuItem
      ref={ref}
      onClick={() => {
        menu?.onClose();
        redirect("/account");
      }}
    >
      <ListItemIcon>
        <ManageAccountsIcon fontSize="small" />
      </ListItemIcon>
      <ListItemText>Account</ListItemText>
    </MenuItem>
  );
});

/** The menu item that asks to log out everywhere; the question lives outside the menu, which closes. */
const LogOutEverywhereItem = forwardRef<HTMLLIElement, { onAsk: () => void }>(function LogOutEverywhereItem({ onAsk }, ref) {
  const menu = useUserMenu();
  return (
    <MenuItem
      ref={ref}
      onClick={() => {
        menu?.onClose();
        onAsk();
      }}
    >
      <ListItemIcon>
        <PhonelinkEraseIcon fontSize="small" />
      </ListItemIcon>
      <ListItemText>Log out everywhere</ListItemText>
    </MenuItem>
  );
});

/** "Log out everywhere?": `DELETE /api/v1/sessions` ends every session of the user, this one included. */
function LogOutEverywhereConfirm({ isOpen, onClose }: { isOpen: boolean; onClose: () => void }) {
  const logout = useLogout();
  const notify = useNotify();
  const confirm = async () => {
    try {
      await hubFetch("/sessions", { method: "DELETE" });
    } catch (error) {
      notify((error as Error).message, { type: "error" });
      return;
    } finally {
      onClose();
    }
    // The hub has ended this session too: log out without asking it again.
    forgetIdentity();
    markSessionEnded();
    await logout();
  };
  return (
    <Confirm
      isOpen={isOpen}
      title="Log out everywhere?"
      content="This ends your sessions in every browser and tab, this one included."
      confirm="Log out everywhere"
      onConfirm={confirm}
      onClose={onClose}
    />
  );
}

/**
 * The user menu: Account and Log out everywhere for a user session, then Logout. The confirmation
 * is rendered beside the menu, not in it, so closing the menu (or a re-render of its items) cannot
 * take the open question away.
 */
export function TelehubUserMenu() {
  const identity = useIdentity();
  const [asking, setAsking] = useState(false);
  return (
    <>
      <UserMenu>
        <AccountItem />
        {identity?.kind === "session" && <LogOutEverywhereItem onAsk={() => setAsking(true)} />}
        <Logout />
      </UserMenu>
      <LogOutEverywhereConfirm isOpen={asking} onClose={() => setAsking(false)} />
    </>
  );
}
