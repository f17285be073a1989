// Solves specs against channels with rattler (conda/rattler's JS bindings: the gateway and
// solver pixi uses) and prints the URL of every package in the solution, one per line.
//   node rattler_solve.cjs CHANNEL_URL PLATFORM[,PLATFORM] SPEC...
const { simpleSolve } = require('@conda-org/rattler');

const [channel, platforms, ...specs] = process.argv.slice(2);
simpleSolve(specs, [channel], platforms.split(','), [])
    .then((solution) => {
        for (const record of solution) console.log(record.url);
    })
    .catch((error) => {
        console.error(`rattler could not solve ${specs.join(' ')}: ${error}`);
        process.exit(1);
    });
