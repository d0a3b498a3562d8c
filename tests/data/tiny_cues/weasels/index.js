export const weasels = ['some say', 'many people']
