import { Card, CardContent } from "@mui/material";
import { useQueryClient } from "@tanstack/react-query";
import type { AlarmRule, RuleDefinition } from "@telehub/hub";
import { EditBase, Title, useNotify, useRecordContext, useRedirect } from "react-admin";
import { RuleForm } from "./RuleForm";
import { RuleActions } from "./RuleShow";
import { updateRule } from "./rule-api";

function RuleEditForm() {
  const rule = useRecordContext<AlarmRule>();
  const notify = useNotify();
  const redirect = useRedirect();
  const queryClient = useQueryClient();
  if (!rule) return null;
  // Sends the version the form was loaded with: a save in between is refused, not overwritten.
  const save = async (definition: RuleDefinition) => {
    const saved = await updateRule(rule.id, definition, rule.version);
    await queryClient.invalidateQueries({ queryKey: ["alarm-rules"] });
    notify(`Rule ${saved.name} saved as version ${saved.version}`, { type: "success" });
    redirect("list", "alarm-rules");
  };
  return (
    <>
      <Title title={`Edit rule ${rule.name} (version ${rule.version})`} />
      <RuleForm key={rule.version} rule={rule} save={save} />
    </>
  );
}

/** Edit a rule (operators): evaluation under it starts afresh; its open alarms stay open. */
export function RuleEdit() {
  return (
    <EditBase mutationMode="pessimistic">
      <RuleActions editing />
      <Card>
        <CardContent>
          <RuleEditForm />
        </CardContent>
      </Card>
    </EditBase>
  );
}
