export { loyaltyInputs, INPUTS, LEVELS, type LoyaltyInputs } from './service';
