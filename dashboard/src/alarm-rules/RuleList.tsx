import { Chip } from "@mui/material";
import type { AlarmRule } from "@telehub/hub";
import { CreateButton, Datagrid, DateField, FunctionField, List, NumberField, TextField, TopToolbar, usePermissions } from "react-admin";
import { canOperate } from "../auth/credentials";
import { clearText, conditionText, scopeText } from "./rule-summary";

function Actions() {
  const { permissions } = usePermissions();
  return <TopToolbar>{canOperate(permissions) && <CreateButton />}</TopToolbar>;
}

/** Alarm rules by name: what each watches, on which devices, how its alarms clear; operators open them to edit. */
export function RuleList() {
  const { permissions } = usePermissions();
  return (
    <List actions={<Actions />} perPage={50} sort={{ field: "name", order: "ASC" }} empty={false}>
      <Datagrid rowClick={canOperate(permissions) ? "edit" : "show"} bulkActionButtons={false}>
        <TextField source="name" sortable={false} />
        <FunctionField<AlarmRule>
          label="State"
          render={(rule) => (
            <Chip size="small" variant={rule.enabled ? "filled" : "outlined"} label={rule.enabled ? "enabled" : "disabled"} />
          )}
        />
        <FunctionField<AlarmRule> label="Devices" render={(rule) => scopeText(rule.scope)} />
        <FunctionField<AlarmRule>
          label="Condition"
          render={(rule) => <span data-testid="rule-condition">{conditionText(rule.condition)}</span>}
        />
        <FunctionField<AlarmRule> label="Clearing" render={(rule) => clearText(rule.clear)} />
        <NumberField source="version" sortable={false} />
        <DateField source="updatedAt" label="Saved" showTime sortable={false} />
      </Datagrid>
    </List>
  );
}
