export * from './service';
export { staffRoutes } from './routes';
export { ROLES, type Role } from './schema';
