/**
 * SAML presets: for each IdP, which value to copy where. SAML needs no settings of ours per IdP
 * beyond the attribute names, so a preset is a hint list (`from` → `to`), shown by the console's
 * wizard and `pipeshub saml-providers presets`, and the attribute defaults that IdP sends.
 */
export interface SamlPreset {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly fieldsToCopy: readonly { readonly from: string; readonly to: string }[];
  readonly defaults: { readonly emailAttribute?: string; readonly subjectAttribute?: string };
}

const SP_VALUES = (where: string) => [
  { from: "spEntityId (this provider's view)", to: `${where}: Identifier / Entity ID / Audience URI` },
  { from: "acsUrl (this provider's view)", to: `${where}: Reply URL / ACS URL / Single sign-on URL` },
];

export const SAML_PRESETS: readonly SamlPreset[] = [
  {
    name: "entra-id",
    title: "Microsoft Entra ID",
    description: "Enterprise application › Single sign-on › SAML",
    fieldsToCopy: [
      ...SP_VALUES("Basic SAML Configuration"),
      { from: "SAML Certificates › App Federation Metadata Url", to: "idpMetadataUrl" },
    ],
    defaults: {
      emailAttribute: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
      subjectAttribute: "http://schemas.microsoft.com/identity/claims/objectidentifier",
    },
  },
  {
    name: "okta",
    title: "Okta",
    description: "Applications › Create App Integration › SAML 2.0",
    fieldsToCopy: [
      ...SP_VALUES("SAML Settings"),
      { from: "Name ID format: Persistent; Attribute Statement email = user.email", to: "(set at Okta)" },
      { from: "Sign On › Metadata URL", to: "idpMetadataUrl" },
    ],
    defaults: { emailAttribute: "email" },
  },
  {
    name: "google-workspace",
    title: "Google Workspace",
    description: "Admin console › Apps › Web and mobile apps › Add custom SAML app",
    fieldsToCopy: [
      { from: "Google IdP information › SSO URL", to: "idpSsoUrl" },
      { from: "Google IdP information › Entity ID", to: "idpEntityId" },
      { from: "Google IdP information › Certificate", to: "idpCertificates" },
      ...SP_VALUES("Service provider details"),
      { from: "Name ID format: PERSISTENT (Basic Information › Primary email as an attribute named email)", to: "(set at Google)" },
    ],
    defaults: { emailAttribute: "email" },
  },
  {
    name: "adfs",
    title: "AD FS",
    description: "AD FS Management › Relying Party Trusts › Add Relying Party Trust",
    fieldsToCopy: [
      { from: "spMetadataUrl (this provider's view)", to: "Import data about the relying party published online" },
      { from: "https://<adfs host>/FederationMetadata/2007-06/FederationMetadata.xml", to: "idpMetadataUrl" },
      { from: "Claim rule: E-Mail-Addresses → E-Mail Address; a persistent Name ID", to: "(set at AD FS)" },
    ],
    defaults: { emailAttribute: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress" },
  },
];
