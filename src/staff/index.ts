export * from './service';
export { staffRoutes } from './routes';
export { rememberActors, credentialsChanged } from './actor-cache';
export { ROLES, type Role } from './schema';
export { passwordProblem, MIN_PASSWORD_LENGTH } from './password-policy';
