// English month names as ICU 72 and later write them for en-GB ("Sept"): the page builds its dates
// itself, without Intl (webui/src/views/format.ts says why).
export const EN_MONTHS_SHORT: readonly string[] = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sept', 'Oct', 'Nov', 'Dec'];
export const EN_MONTHS_LONG: readonly string[] = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
