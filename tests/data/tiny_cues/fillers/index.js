export const fillers = ['totally', 'absolutely']
