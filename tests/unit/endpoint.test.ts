import { expect } from "chai";
import { isAllowedEndpoint } from "pulumi-intune-domain-join/internal/logic/endpoint";

describe("the endpoint rule (https, or http on loopback)", () => {
  const allowed = (url: string) => isAllowedEndpoint(new URL(url));

  it("allows https to any host", () => {
    expect(allowed("https://graph.microsoft.com")).to.equal(true);
    expect(allowed("https://login.microsoftonline.us/tenant")).to.equal(true);
  });

  it("allows plain http only to 127.0.0.1, [::1] and localhost", () => {
    expect(allowed("http://127.0.0.1:8443")).to.equal(true);
    expect(allowed("http://[::1]:8443")).to.equal(true);
    expect(allowed("http://localhost")).to.equal(true);
    for (const url of ["http://127.0.0.2", "http://graph.microsoft.com", "http://localhost.example.com"]) {
      expect(allowed(url), url).to.equal(false);
    }
  });

  it("allows no other scheme, loopback or not", () => {
    for (const url of ["ftp://127.0.0.1", "ws://localhost", "file:///etc/passwd"]) {
      expect(allowed(url), url).to.equal(false);
    }
  });
});
