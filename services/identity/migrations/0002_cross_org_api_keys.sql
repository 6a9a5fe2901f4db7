-- Super admins revoke and list any organisation's API keys through the audited cross-org role.
SELECT runtime.enable_cross_org_access('identity.api_keys');
