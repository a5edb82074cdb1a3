'use strict';

// Seeds a freshly set-up NodeBB like bench/forums.py seeds this server: 200 members, THREADS
// topics sharing REPLIES replies (the first topic exactly 100, the rest at random), and API
// tokens for members 5-54 (the "50 members"). Run by bench/peer_nodebb.sh inside NodeBB's tree:
//   node peer_nodebb_seed.js THREADS REPLIES OUT.json
// It goes through NodeBB's own modules (user.create, topics.post, topics.reply, and the token
// utility its admin API uses), so the stored shape is NodeBB's own. Plugins are not loaded here,
// so the seeded posts are not in the search index; the bench's own writes are.

require('./require-main');

const path = require('path');
const fs = require('fs');
const nconf = require('nconf');

nconf.argv().env({ separator: '__' });
require('./src/prestart').loadConfig(path.join(__dirname, 'config.json'));

const PEOPLE = 200;
const MEMBERS = [...Array(50).keys()].map(n => n + 5);
const BIG_THREAD_REPLIES = 100;
const PARALLEL = 8;

function random(seed) {
	let state = seed;
	return () => {
		state = (state * 1103515245 + 12345) % 2147483648;
		return state / 2147483648;
	};
}

async function main() {
	const [threads, replies, out] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
	const db = require('./src/database');
	await db.init();
	await require('./src/meta').configs.init();
	const user = require('./src/user');
	const topics = require('./src/topics');
	const categories = require('./src/categories');
	const privileges = require('./src/privileges');
	const apiUtils = require('./src/api/utils');
	const rng = random(7);
	const pick = list => list[Math.floor(rng() * list.length)];

	const uids = [];
	for (let n = 0; n < PEOPLE; n += 1) {
		uids.push(await user.create({ username: `officer${n}`, fullname: `Officer ${n}` }));
	}
	const cids = [];
	for (const cid of await categories.getAllCidsFromSet('categories:cid')) {
		if (await privileges.categories.can('topics:create', cid, uids[5])) {
			cids.push(cid);
		}
	}
	const counts = [BIG_THREAD_REPLIES, ...Array(threads - 1).fill(0)];
	for (let n = 0; n < replies - BIG_THREAD_REPLIES; n += 1) {
		counts[1 + Math.floor(rng() * (threads - 1))] += 1;
	}
	const started = Date.now();
	const tids = [];
	for (let n = 0; n < threads; n += 1) {
		const { topicData } = await topics.post({
			uid: pick(uids), cid: n === 0 ? cids[0] : pick(cids), title: `How do other ministries handle procurement, case ${n}?`,
			content: `We are reviewing the bid period for case ${n}. How long do other ministries keep tenders open?`,
		});
		tids.push(topicData.tid);
	}
	const jobs = counts.flatMap((count, index) => Array(count).fill(tids[index]));
	let next = 0;
	async function worker() {
		while (next < jobs.length) {
			const tid = jobs[next];
			next += 1;
			await topics.reply({
				uid: pick(uids), tid,
				content: `Seeded reply ${next}: we extended the bid period by a week and two more bidders came in.`,
			});
		}
	}
	await Promise.all(Array(PARALLEL).fill(0).map(worker));
	const posts = [];
	for (const tid of tids) {
		const pids = await db.getSortedSetRange(`tid:${tid}:posts`, 0, -1);
		const authors = await db.getObjectsFields(pids.map(pid => `post:${pid}`), ['uid']);
		pids.forEach((pid, i) => posts.push([Number(pid), Number(authors[i].uid)]));
		if (posts.length >= 5000) {
			break;
		}
	}
	const members = [];
	for (const n of MEMBERS) {
		members.push([uids[n], await apiUtils.tokens.generate({ uid: uids[n], description: 'bench' })]);
	}
	const stored = await db.sortedSetCard('posts:pid');
	console.log(`NodeBB seeded in ${((Date.now() - started) / 1000).toFixed(1)} s: ${tids.length} topics, ${stored} posts`);
	fs.writeFileSync(out, JSON.stringify({
		threads, replies, redis_port: nconf.get('redis:port'), cids, targets: tids.slice(0, 50), posts, members,
	}));
	await db.close();
	process.exit(0);
}

main().catch((err) => {
	console.error(err);
	process.exit(1);
});
