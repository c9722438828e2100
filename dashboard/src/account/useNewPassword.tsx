import { type ReactNode, useState } from "react";
import { passwordProblem } from "../auth/password-rules";
import { NewPasswordFields } from "./NewPasswordFields";

/** A new password typed twice: its fields, the password, what is wrong with it (undefined: the hub will take it), and a reset. */
export function useNewPassword(): { password: string; problem: string | undefined; reset: () => void; fields: ReactNode } {
  const [password, setPassword] = useState("");
  const [confirmation, setConfirmation] = useState("");
  const problem = passwordProblem(password, confirmation);
  const fields = (
    <NewPasswordFields
      password={password}
      confirmation={confirmation}
      onPassword={setPassword}
      onConfirmation={setConfirmation}
      problem={problem}
    />
  );
  const reset = () => {
    setPassword("");
    setConfirmation("");
  };
  return { password, problem, reset, fields };
}
