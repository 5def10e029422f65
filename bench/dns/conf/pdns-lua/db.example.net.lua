; pdns-lua: db.example.net with the policy names as LUA records, in the order of
; policy.yaml's tree: continent() (client from ECS, demo mmdb) -> ifurlup() sets in
; failover order (HTTP check of each answer address, selector 'all' = every healthy
; address of the first set that has one) -> pickwrandom() among the healthy (weighted).
$ORIGIN example.net.
$TTL 60
@       IN SOA  ns1.example.net. hostmaster.example.net. 2026010101 7200 3600 1209600 60
@       IN NS   ns1.example.net.
ns1     IN A    127.0.0.1
mail    IN A    192.0.2.25
www     IN LUA  A ";local u, o = 'http://hc.example.net:{{HCPORT}}/health', {selector='all', timeout=1} if continent('EU') then local up = ifurlup(u, {{'127.0.1.1','127.0.1.2'}, {'127.0.2.1'}}, o) if #up == 2 then return pickwrandom({{70,'127.0.1.1'},{30,'127.0.1.2'}}) end return up end if continent('NA') then return ifurlup(u, {{'127.0.2.1'}, {'127.0.1.1'}}, o) end if continent('AS') then return ifurlup(u, {{'127.0.3.1'}, {'127.0.2.1'}}, o) end return ifurlup(u, {{'127.0.1.1','127.0.2.1','127.0.3.1'}}, o)"
api     IN LUA  A ";local up = ifurlup('http://hc.example.net:{{HCPORT}}/health', {{'127.0.2.1','127.0.1.2'}}, {selector='all', timeout=1}) if #up == 2 then return pickwrandom({{90,'127.0.2.1'},{10,'127.0.1.2'}}) end return up"
app     IN LUA  A "ifurlup('http://hc.example.net:{{HCPORT}}/health', {{'127.0.1.1'}, {'127.0.2.1'}, {'127.0.3.1'}}, {timeout=1})"
static  IN A    192.0.2.50
static  IN A    192.0.2.51
