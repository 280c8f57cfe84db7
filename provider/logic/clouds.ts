/**
 * Microsoft's national clouds: where Graph and Entra ID live in each, and the token scope. Tokens
 * never cross clouds, so login and Graph are always chosen together.
 */

export const CLOUD_NAMES = ["global", "usgov", "usgovdod", "china"] as const;
export type CloudName = (typeof CLOUD_NAMES)[number];

export interface CloudEndpoints {
  /** Graph origin. */
  graphEndpoint: string;
  /** Entra ID authority host. */
  authorityHost: string;
  /** The resource whose `/.default` scope the token is requested for. */
  graphResource: string;
}

export const CLOUDS: Readonly<Record<CloudName, CloudEndpoints>> = {
  global: {
    graphEndpoint: "https://graph.microsoft.com",
    authorityHost: "https://login.microsoftonline.com",
    graphResource: "https://graph.microsoft.com",
  },
  usgov: {
    graphEndpoint: "https://graph.microsoft.us",
    authorityHost: "https://login.microsoftonline.us",
    graphResource: "https://graph.microsoft.us",
  },
  usgovdod: {
    graphEndpoint: "https://dod-graph.microsoft.us",
    authorityHost: "https://login.microsoftonline.us",
    graphResource: "https://dod-graph.microsoft.us",
  },
  china: {
    graphEndpoint: "https://microsoftgraph.chinacloudapi.cn",
    authorityHost: "https://login.chinacloudapi.cn",
    graphResource: "https://microsoftgraph.chinacloudapi.cn",
  },
};

/** Names people also use for the same clouds (Azure CLI, Terraform, PowerShell). */
const CLOUD_ALIASES: Readonly<Record<string, CloudName>> = {
  public: "global",
  azurecloud: "global",
  azurepubliccloud: "global",
  gcc: "global",
  gcchigh: "usgov",
  azureusgovernment: "usgov",
  azureusgovernmentcloud: "usgov",
  dod: "usgovdod",
  azurechinacloud: "china",
};

export function parseCloud(value: string): CloudName | undefined {
  // "US Gov", "us_gov", " usgov ": spaces (anywhere), underscores and dashes do not count.
  const key = value.toLowerCase().replace(/[\s_-]/g, "");
  if ((CLOUD_NAMES as readonly string[]).includes(key)) return key as CloudName;
  return CLOUD_ALIASES[key];
}
