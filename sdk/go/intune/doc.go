// Manage Microsoft Intune domain join connectors (Microsoft Graph beta, deviceManagementDomainJoinConnector) declaratively: create, adopt, rename and retire them, with drift detected on refresh.
package intune
