// Generated from plugins/orchestrator-backend/src/schema/openapi.yaml by scripts/generate-openapi.js; do not edit.
export * from './models';
export * from './OrchestratorApiClient';
