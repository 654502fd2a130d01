// What every surface shows alike.

/** The example number the replies show: the one carriers' own guides use, not anyone's phone. */
export const EG = '13800138000'; // example mobile number shown to subscribers
