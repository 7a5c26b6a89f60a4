export { serviceStars, STAR_CATEGORIES, type ServiceStars } from './service';
export { giveCustomerKudos, kudosFeed } from './kudos';
