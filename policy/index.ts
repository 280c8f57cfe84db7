/**
 * The policy pack: `pulumi preview --policy-pack <this folder>` (or, with a Node.js language
 * host that cannot run plugins, `--policy-pack <this folder>/pulumi-analyzer-policy`).
 */
import { PolicyPack } from "@pulumi/policy";
import { createPolicies } from "./policies";

new PolicyPack("intune-domain-join", { policies: createPolicies() });
