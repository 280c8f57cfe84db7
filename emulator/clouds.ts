// The national clouds: which token audience Graph accepts in each, and what Entra says about it.
import type { CloudName } from "./types";

/** Microsoft Graph's application id, which Entra also accepts as the resource. */
export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

export interface CloudProfile {
  name: CloudName;
  /** Graph's resource URI: the token audience and `<resource>/.default` scope. */
  graphResource: string;
  /** The real login host, used where Entra names itself (error_uri, WWW-Authenticate). */
  loginHost: string;
  /** Host of the v1 token issuer, `https://<host>/<tenant>/`. */
  stsHost: string;
  cloudInstanceName: string;
  tenantRegionScope: string;
}

const PROFILES: Record<CloudName, CloudProfile> = {
  global: {
    name: "global",
    graphResource: "https://graph.microsoft.com",
    loginHost: "login.microsoftonline.com",
    stsHost: "sts.windows.net",
    cloudInstanceName: "microsoftonline.com",
    tenantRegionScope: "NA",
  },
  usgov: {
    name: "usgov",
    graphResource: "https://graph.microsoft.us",
    loginHost: "login.microsoftonline.us",
    stsHost: "sts.windows.net",
    cloudInstanceName: "microsoftonline.us",
    tenantRegionScope: "USGov",
  },
  usgovdod: {
    name: "usgovdod",
    graphResource: "https://dod-graph.microsoft.us",
    loginHost: "login.microsoftonline.us",
    stsHost: "sts.windows.net",
    cloudInstanceName: "microsoftonline.us",
    tenantRegionScope: "USGov",
  },
  china: {
    name: "china",
    graphResource: "https://microsoftgraph.chinacloudapi.cn",
    loginHost: "login.chinacloudapi.cn",
    stsHost: "sts.chinacloudapi.cn",
    cloudInstanceName: "partner.microsoftonline.cn",
    tenantRegionScope: "AS",
  },
};

export const CLOUD_NAMES = Object.keys(PROFILES) as CloudName[];

export function isCloudName(value: string): value is CloudName {
  return Object.hasOwn(PROFILES, value);
}

export function cloudProfile(name: CloudName): CloudProfile {
  if (!isCloudName(name))
    throw new Error(`unknown cloud '${String(name)}' (one of ${CLOUD_NAMES.join(", ")})`);
  return PROFILES[name];
}

/** Audiences Graph accepts in this cloud: its resource URI (with or without a slash) or its app id. */
export function graphAudiences(profile: CloudProfile): Set<string> {
  return new Set([profile.graphResource, `${profile.graphResource}/`, GRAPH_APP_ID]);
}
