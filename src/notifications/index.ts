export { notify, myNotifications, markRead } from './service';
