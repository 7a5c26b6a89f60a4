export * from './service';
export { staffRoutes } from './routes';
export { ROLES, type Role } from './schema';
export { passwordProblem, MIN_PASSWORD_LENGTH } from './password-policy';
