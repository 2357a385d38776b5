const { parseAllDocuments } = require('yaml');
for (const n of [100, 1000, 3000, 10000]) {
  for (const kind of ['flow', 'block', 'seq']) {
    let src;
    if (kind==='flow') src = 'a: ' + '['.repeat(n) + ']'.repeat(n) + '\n';
    else if (kind==='block') src = 'a:\n' + Array.from({length: n}, (_, i) => ' '.repeat(i+1) + 'k:').join('\n') + ' v\n';
    else src = 'a:\n' + '- '.repeat(n) + 'x\n';
    try { const d = parseAllDocuments(src, { version: '1.1', uniqueKeys: false, keepSourceTokens: true }); console.log(n, kind, 'parsed', d[0].errors.map(e=>e.message.slice(0,80)));
      try { d[0].toJS({maxAliasCount: 100}); console.log('  toJS ok'); } catch (e) { console.log('  toJS', e.message); }
      try { d[0].toString(); console.log('  str ok'); } catch (e) { console.log('  str', e.message); }
    } catch (e) { console.log(n, kind, 'parse threw', e.message); }
  }
}
