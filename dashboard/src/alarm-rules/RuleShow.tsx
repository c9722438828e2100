import { Card, CardContent, Stack, Typography } from "@mui/material";
import type { AlarmRule } from "@telehub/hub";
import { DeleteButton, EditButton, ShowBase, Title, TopToolbar, usePermissions, useRecordContext } from "react-admin";
import { canOperate } from "../auth/credentials";
import { formatDuration } from "../charts/format";
import { DetailLine } from "./DetailLine";
import { clearText, conditionText, scopeText } from "./rule-summary";

/** Operators edit and delete rules (`editing`: the editor's own toolbar, without Edit). */
export function RuleActions({ editing = false }: { editing?: boolean }) {
  const { permissions } = usePermissions();
  if (!canOperate(permissions)) return null;
  return (
    <TopToolbar>
      {!editing && <EditButton />}
      <DeleteButton
        mutationMode="pessimistic"
        confirmTitle="Delete this rule?"
        confirmContent="Its active alarms are cleared (by the system, 'rule deleted'); their history stays."
      />
    </TopToolbar>
  );
}

function RulePage() {
  const rule = useRecordContext<AlarmRule>();
  if (!rule) return null;
  return (
    <>
      <Title title={`Rule ${rule.name}`} />
      <RuleActions />
      <Card>
        <CardContent>
          <Stack spacing={1} data-testid="rule-details" data-version={rule.version}>
            <Typography variant="h6">{rule.name}</Typography>
            {rule.description && <Typography variant="body2">{rule.description}</Typography>}
            <DetailLine label="State">{rule.enabled ? "enabled" : "disabled: raises nothing"}</DetailLine>
            <DetailLine label="Devices">{scopeText(rule.scope)}</DetailLine>
            <DetailLine label="Condition">{conditionText(rule.condition)}</DetailLine>
            <DetailLine label="Clearing">{clearText(rule.clear)}</DetailLine>
            <DetailLine label="After a manual clear">{`raised again after ${formatDuration(rule.reRaiseAfterMs)} if the condition still holds`}</DetailLine>
            <DetailLine label="Version">{`${rule.version}, saved ${new Date(rule.updatedAt).toLocaleString()}${rule.updatedBy ? ` by ${rule.updatedBy}` : ""}`}</DetailLine>
          </Stack>
        </CardContent>
      </Card>
    </>
  );
}

/** One rule in words (viewers read it here; operators edit it, with the backtest, in the editor). */
export function RuleShow() {
  return (
    <ShowBase>
      <RulePage />
    </ShowBase>
  );
}
