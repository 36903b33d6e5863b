DROP TABLE campus_invitations;
DROP TABLE webhook_tries;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
