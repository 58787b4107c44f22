// Prints what the example app synthesized: per stack, its resources by type and each model's properties; then the
// batch-window plan of each model, which the example app writes beside the templates.
const fs = require('fs');
const path = require('path');

const dir = process.argv[2] || 'cdk.out';
const templates = fs.readdirSync(dir).filter((f) => f.endsWith('.template.json'));
if (templates.length === 0) {
  console.error(`no templates in ${dir}`);
  process.exit(1);
}
// Info and warning annotations, as the cloud assembly records them beside each stack's template.
for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.metadata.json'))) {
  const metadata = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  for (const [construct, entries] of Object.entries(metadata)) {
    for (const e of entries) {
      if (e.type === 'aws:cdk:info' || e.type === 'aws:cdk:warning') console.log(`${e.type.slice(8)} ${construct}: ${e.data}`);
    }
  }
}
for (const file of templates) {
  const template = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  const resources = Object.values(template.Resources || {});
  const byType = {};
  for (const r of resources) byType[r.Type] = (byType[r.Type] || 0) + 1;
  console.log(`${file}: ${resources.length} resources`);
  for (const [type, n] of Object.entries(byType).sort()) console.log(`  ${String(n).padStart(3)} ${type}`);
  for (const [id, r] of Object.entries(template.Resources || {})) {
    if (r.Type === 'AWS::CloudWatch::Alarm') {
      // The alarm's final definition: what CloudWatch fetches (metric, statistic, period), over which window, when.
      const p = r.Properties;
      const stat = (m) => `${m.Stat ?? m.Statistic}(${m.Metric ? m.Metric.Namespace : m.Namespace} ${m.Metric ? m.Metric.MetricName : m.MetricName}, ${m.Period} s)`;
      const what = p.Metrics
        ? `${p.Metrics.filter((m) => m.Expression).map((m) => m.Expression).join(', ')} where ${p.Metrics.filter((m) => m.MetricStat).map((m) => `${m.Id} = ${stat({ ...m.MetricStat })}`).join(', ')}`
        : stat(p);
      const period = p.Metrics ? (p.Metrics.find((m) => m.MetricStat) || {}).MetricStat.Period : p.Period;
      const window = period * p.EvaluationPeriods;
      console.log(`  alarm ${id}: ${what}; ${p.ComparisonOperator} ${p.Threshold} in ${p.DatapointsToAlarm ?? p.EvaluationPeriods} of ${p.EvaluationPeriods} datapoints ` +
        `(a sliding window of ${window >= 3600 ? `${window / 3600} h` : `${window / 60} min`}, evaluated every ${window > 86400 ? 'hour' : 'minute'}), missing data: ${p.TreatMissingData}`);
    }
    if (r.Type !== 'Custom::RekognitionCustomLabelsModel') continue;
    const { ServiceToken, ...props } = r.Properties;
    console.log(`  model ${id}: ${JSON.stringify(props)}`);
  }
}
const plans = path.join(dir, 'batch-window-plans.txt');
if (fs.existsSync(plans)) {
  console.log('');
  console.log(fs.readFileSync(plans, 'utf8').trimEnd());
}
