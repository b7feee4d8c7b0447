/** A value that must reach no API answer, log or Git commit: the development database's password. */
export const SHOP_SECRET = 'deploy-test-secret-value';

/** A development database by the echo driver and a DNS name by the template driver. */
export const shopDefinitions = `apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: pg-dev }
spec:
  type: postgres
  driver: echo
  driverInputs:
    values: { host: "pg.\${context.env.id}.internal", port: 5432, username: app }
    secrets: { password: ${SHOP_SECRET} }
  criteria: [{ envType: development }]
---
apiVersion: baton.dev/v1
kind: ResourceDefinition
metadata: { id: dns-dev }
spec:
  type: dns
  driver: template
  driverInputs:
    values:
      templates:
        outputs: "host: {{ context.app.id }}.dev.example.com"
  criteria: [{}]
`;

/** A workload that reads the database's password into a variable and a DNS name into another. */
export const shopWeb = `apiVersion: score.dev/v1b1
metadata: { name: web }
service: { ports: { http: { port: 8080 } } }
containers:
  main:
    image: web:1
    variables:
      DB_URL: postgres://\${resources.db.username}:\${resources.db.password}@\${resources.db.host}
      HOST: \${resources.dns.host}
resources:
  db: { type: postgres }
  dns: { type: dns }
`;
