/**
 * The example workflows' sign-in against the emulator: an app whose federated credential trusts the
 * GitHub Actions stand-in's job tokens, and the environment a job of deploy.yml / drift.yml has.
 */
import { Emulator } from "intune-graph-emulator";
import { connectionEnv } from "./e2e";
import { startTestEmulator } from "./emulator";
import { GithubStandIn, githubFederatedApp } from "./federated-issuers";

export interface PipelineApp {
  clientId: string;
  displayName: string;
}

/** An emulator with no connectors whose `app` (read-write) signs in with the stand-in's tokens for `subject`. */
export function startPipelineEmulator(
  github: GithubStandIn,
  app: PipelineApp,
  subject = "repo:contoso/intune:environment:production",
): Promise<Emulator> {
  return startTestEmulator({ seed: [], ...githubFederatedApp(github, app, subject) });
}

/** The workflows' environment: the app named, the method forced, the runner's two variables. */
export function githubJobEnv(emulator: Emulator, github: GithubStandIn, app: PipelineApp): NodeJS.ProcessEnv {
  return {
    ...connectionEnv(emulator, app.displayName),
    INTUNE_AUTH_METHOD: "githubActions",
    ACTIONS_ID_TOKEN_REQUEST_URL: github.requestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: github.requestToken,
  };
}
