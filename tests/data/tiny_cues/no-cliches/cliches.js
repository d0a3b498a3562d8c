let cliches = [
  'at the end of the day',
  'all\'s well that ends well',
  'all talk, no action'
]

module.exports = cliches
