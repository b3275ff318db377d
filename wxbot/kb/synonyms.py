"""The words retrieval needs to know about how customers ask: what carries no meaning (particles, question
words, "一份"), what they say for what shop documents write (能退吗 → 退换/无理由), and which region a city
is in (shipping tables list provinces, customers name cities)."""

from __future__ import annotations

import re

STOPWORDS = frozenset(
    "的 了 吗 呢 啊 吧 呀 哦 嘛 么 哈 是 在 有 和 与 及 或 我 你 您 他 她 它 我们 你们 他们 咱们 请问 请 问 问下 问一下 "
    "一下 这个 那个 这 那 哪 哪个 什么 怎么 怎么样 怎样 如何 多少 几 可以 能 能不能 可不可以 会 要 想 还 还有 就 都 也 又 "
    "谁 很 太 好 个 些 一 给 把 被 让 对 从 不 没 没有 是不是 有没有 知道 告诉 一个 现在 亲 老板 店家 客服 谢谢 你好 在吗 "
    "时候 什么时候 多久 啥 咋 呗 咯 嗯 吗吗 呢呢 得 地 着 过 用 下 上 里 点 一点 一些 些许 那么 这么 还是 或者 然后 "
    "a an the is are do does can i you we it of to for and or what how "
    # fillers of a question that name nothing: what remains of a sentence once its subject is taken out
    "回事 怎么办 听说 发现 里面 知道 还是 不能 能用 一起 需要 开始 东西 这种 那种 哪种 哪款 那款 这款 一般 应该 大概 比较 "
    "特别 不想 想要 不要 有啥 咋样 好使 好用 行不行 怎么样 什么样 正常 一样 的话 之前 之后 以后 以前 刚刚 已经 马上 "
    "多长 多长时间 多宽 多高 多重 多沉 多远 区别 有啥区别 什么区别 店里 店内 本店 你家 你们家 "
    "买点 带点 来点 拿点 真的 到底 其实 记得 需不需要 要不要 能不能用 用不用 该 哪里 哪儿 这里 那里 这边 那边 自己 大家 帮忙 帮我".split())

# Characters that only frame a word jieba cut with them (能退 → 退 is a synonym trigger; 我住 → 住; 裤选 → 裤).
FUNCTION_CHARS = "带能要想还就不吗了呢我你您他她它的在去是个这那都也很太又再才刚啊吧呀哦嘛么哈咋啥怎该把被让给从对向往跟和与及或得着选"

# "一份", "几双", "两个", "3罐" (numerals are digits by now): how many, never what; and question words jieba glues to a verb (谁出, 为啥, 什么码).
NOISE = re.compile(r"为什么|怎么办|什么|多少|怎么|哪个|你们|我们|(?:[一二两三四五六七八九十几每多半]+|\d+)"
                   r"[个件双份只条对套包盒支副块张次位罐瓶袋片箱桶卷听提饼颗粒根台杯壶]|为啥|哪里|哪儿|哪些")

_RETURNS = ("退货", "退换", "退款", "无理由")
_PRICE = ("价格", "单价", "售价", "价钱", "元")
_STOCK = ("库存", "现货", "有货", "缺货", "补货", "售罄")
_SHIPPING = ("运费", "快递", "邮费", "发货", "包邮")
_REPAIR = ("维修", "保修", "质保", "损坏", "质量问题", "故障")
_DISCOUNT = ("优惠", "折扣", "满减", "活动", "批发", "团购")
# General after-sales and travel language (no shop's words): a wrong size or model is an exchange; a plane
# trip is an airline rule; a price that dropped after buying is price protection; who pays is who bears it.
_OPENED = ("拆封", "开封", "拆开", "打开", "开罐", "撕开")
_SIZE = ("尺码", "码数", "码")
_WRONG_SIZE = ("尺码", "换码", "型号", "换货", "买错")
_FLIGHT = ("登机", "乘机", "航空", "民航", "飞机")
_PRICE_DROP = ("降价", "差价", "保价", "价格保护")
_GENUINE = ("正品", "原装", "正版", "防伪", "授权", "假货", "真假", "真伪", "正宗")
_EXPIRY = ("有效期", "过期", "到期", "失效")
_BEARS = ("承担", "负责", "承担运费")
_CHILD = ("儿童", "孩子", "小孩", "宝宝")
_USED = ("使用", "用过", "安装", "使用痕迹")  # used or installed: what after-sales rules call 使用过
_WATER = ("进水", "泡水", "防水", "浸水")
_DAMAGED = ("破损", "损坏", "破碎", "碎裂", "摔坏", "压坏")  # broken in transit or dropped
_SAMPLE = ("小样", "样品", "试用", "试喝", "试吃", "试用装", "体验装")  # try before buying
_SPECIAL_INVOICE = ("专用发票", "增值税专用发票", "专票")
_POINTS_AS_MONEY = ("抵扣", "抵现", "抵")  # points or coupons used as money
_ORDER_AHEAD = ("预订", "预定", "预售", "定金", "订金")
_KEEPING = ("寄存", "存放", "代存", "保管")  # the shop keeps what a customer bought (not shipping: 寄 alone)
_SMELL = ("异味", "气味", "味道", "怪味")

# Price and stock are attributes of a product: without the product named they must not find a passage
# (「这个多少钱」 about a photo must not get some row's price), so these groups are weak.
ATTRIBUTES = (_PRICE, _STOCK)

# Customer wording -> the words a shop's documents use. Matched as substrings of the question, longest first.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "能退": _RETURNS, "可以退": _RETURNS, "退吗": _RETURNS, "退货": _RETURNS, "退换": _RETURNS, "退款": ("退款", "退货"),
    "退": _RETURNS, "换货": ("换货", "退换", "更换"), "能换": ("换货", "退换", "更换"), "换": ("换货", "退换", "更换"),
    "拆开": _OPENED, "拆了": _OPENED, "打开": _OPENED, "开封": _OPENED, "拆封": _OPENED, "开罐": _OPENED,
    "撕开": _OPENED, "码": _SIZE, "什么码": _SIZE, "几码": _SIZE,
    "多少钱": _PRICE, "价钱": _PRICE, "价格": _PRICE, "什么价": _PRICE, "贵不贵": _PRICE, "几块": _PRICE, "价位": _PRICE,
    "有货": _STOCK, "现货": _STOCK, "库存": _STOCK, "缺货": _STOCK, "补货": _STOCK, "卖完": _STOCK, "售罄": _STOCK,
    "断货": _STOCK, "还有吗": _STOCK,
    "包邮": ("包邮", "运费", "免运费", "邮费"), "运费": _SHIPPING, "邮费": _SHIPPING, "快递费": _SHIPPING,
    "寄": _SHIPPING, "寄到": _SHIPPING + ("配送", "发往"), "发到": _SHIPPING + ("配送", "发往"),
    "送到": _SHIPPING + ("配送", "发往"), "邮到": _SHIPPING + ("配送", "发往"), "发往": _SHIPPING + ("配送", "发往"), "快递": ("快递", "物流", "发货"), "物流": ("物流", "快递", "发货"),
    "发货": ("发货", "发出", "出库"), "几天到": ("时效", "送达", "到货", "天"), "多久到": ("时效", "送达", "到货", "天"),
    "几天": ("时效", "天"), "多久发": ("发货", "时效"), "什么时候发": ("发货", "时效"), "什么时候到": ("时效", "送达", "到货"),
    "发票": ("发票", "开票"), "开票": ("发票", "开票"), "收据": ("发票", "收据"),
    "保修": _REPAIR, "质保": _REPAIR, "坏了": _REPAIR, "断了": _REPAIR, "能修": _REPAIR, "坏的": _REPAIR, "保多久": _REPAIR + ("保修期",), "保几年": _REPAIR + ("保修期",),
    "保多长时间": _REPAIR + ("保修期",), "修吗": _REPAIR, "修理": _REPAIR, "维修": _REPAIR,
    "优惠": _DISCOUNT, "打折": _DISCOUNT, "便宜": _DISCOUNT, "折扣": _DISCOUNT, "批发": _DISCOUNT, "团购": _DISCOUNT,
    "合适": ("适合", "合适"), "尺码": ("尺码", "码数", "尺寸"), "多大": ("尺寸", "尺码", "规格"), "尺寸": ("尺寸", "规格", "尺码"),
    "营业": ("营业", "营业时间"), "几点": ("营业时间", "时间"), "关门": ("营业时间", "营业"), "开门": ("营业时间", "营业"),
    "地址": ("地址", "门店", "位置"), "在哪": ("地址", "门店", "位置"), "电话": ("电话", "联系"), "联系": ("电话", "联系"),
    "付款": ("付款", "支付"), "支付": ("支付", "付款"), "定制": ("定制", "刻字", "订做"), "刻字": ("刻字", "定制"),
    "公司": ("公司", "企业", "单位"), "单位": ("公司", "企业", "单位"), "企业": ("公司", "企业", "单位"),
    "换码": _WRONG_SIZE, "换号": _WRONG_SIZE, "换尺码": _WRONG_SIZE, "换个": ("换货", "退换", "更换"),
    "买错": _WRONG_SIZE, "买错号": _WRONG_SIZE, "买错码": _WRONG_SIZE, "错号": _WRONG_SIZE, "错码": _WRONG_SIZE,
    "拍错": _WRONG_SIZE, "选错": _WRONG_SIZE, "买小": _WRONG_SIZE, "买小了": _WRONG_SIZE, "买大": _WRONG_SIZE,
    "买大了": _WRONG_SIZE, "不合身": _WRONG_SIZE, "穿不下": _WRONG_SIZE, "尺码不对": _WRONG_SIZE, "型号不对": _WRONG_SIZE,
    "飞机": _FLIGHT, "上飞机": _FLIGHT, "坐飞机": _FLIGHT, "带上飞机": _FLIGHT, "登机": _FLIGHT, "乘机": _FLIGHT,
    "航班": _FLIGHT, "机场": _FLIGHT, "安检": _FLIGHT,
    "降价": _PRICE_DROP, "便宜了": _PRICE_DROP, "差价": _PRICE_DROP, "补差价": _PRICE_DROP, "保价": _PRICE_DROP,
    "掉价": _PRICE_DROP, "正品": _GENUINE, "真假": _GENUINE, "假货": _GENUINE, "假的": _GENUINE, "原装": _GENUINE,
    "正版": _GENUINE, "山寨": _GENUINE, "防伪": _GENUINE, "有效期": _EXPIRY, "过期": _EXPIRY, "失效": _EXPIRY,
    "到期": _EXPIRY, "谁出": _BEARS, "谁付": _BEARS, "谁承担": _BEARS, "谁负责": _BEARS,
    "孩子": _CHILD, "小孩": _CHILD, "小朋友": _CHILD, "儿童": _CHILD, "泡水": _WATER, "进水": _WATER, "掉水里": _WATER,
    "淋雨": _WATER, "几折": _DISCOUNT, "装上": _USED, "装好": _USED, "安装了": _USED, "用过": _USED, "使用过": _USED,
    "用了几次": _USED, "戴过": _USED, "穿过": _USED,
    "碎了": _DAMAGED, "摔碎": _DAMAGED, "碎掉": _DAMAGED, "破了": _DAMAGED, "压碎": _DAMAGED, "磕坏": _DAMAGED,
    "破损": _DAMAGED, "摔坏": _DAMAGED, "样品": _SAMPLE, "小样": _SAMPLE, "试用装": _SAMPLE, "试喝": _SAMPLE,
    "试吃": _SAMPLE, "试用": _SAMPLE, "尝尝": _SAMPLE, "专票": _SPECIAL_INVOICE, "专用发票": _SPECIAL_INVOICE,
    "当钱": _POINTS_AS_MONEY, "抵钱": _POINTS_AS_MONEY, "抵现": _POINTS_AS_MONEY, "抵扣": _POINTS_AS_MONEY,
    "提前订": _ORDER_AHEAD, "预订": _ORDER_AHEAD, "预定": _ORDER_AHEAD, "预售": _ORDER_AHEAD, "定金": _ORDER_AHEAD,
    "订金": _ORDER_AHEAD, "怪味": _SMELL, "异味": _SMELL, "味道不对": _SMELL, "有味": _SMELL, "臭味": _SMELL,
    "是真是假": _GENUINE, "真是假": _GENUINE, "真的假的": _GENUINE, "真伪": _GENUINE, "辨别": ("辨别", "鉴别", "分辨", "真假"),
    "分辨": ("辨别", "鉴别", "分辨", "真假"), "鉴别": ("辨别", "鉴别", "分辨", "真假"),
    "寄存": _KEEPING, "存放": _KEEPING, "代存": _KEEPING, "保管": _KEEPING,
    "爬山": ("登山", "徒步", "爬山"),
    "公斤": ("公斤", "kg", "千克"), "千克": ("公斤", "kg", "千克"), "斤": ("公斤", "kg", "斤"),
}

# Exchange verbs that, with an object after them, replace a part instead (换屏, 换电池: a repair, not 换货).
REPLACE = frozenset({"换"})

# City -> the province (and the region names shipping tables use).
_REGIONS = {
    "新疆": "乌鲁木齐 喀什 伊犁 克拉玛依", "西藏": "拉萨 日喀则 林芝", "四川": "成都 绵阳", "重庆": "", "云南": "昆明 大理 丽江",
    "贵州": "贵阳 遵义", "广东": "广州 深圳 东莞 佛山 珠海", "福建": "厦门 福州 泉州", "北京": "", "天津": "",
    "河北": "石家庄 保定 唐山", "湖北": "武汉 宜昌", "湖南": "长沙 株洲", "陕西": "西安", "河南": "郑州 洛阳",
    "山东": "济南 青岛 烟台", "辽宁": "沈阳 大连", "黑龙江": "哈尔滨", "吉林": "长春", "安徽": "合肥", "江西": "南昌",
    "广西": "南宁 桂林", "海南": "海口 三亚", "甘肃": "兰州", "青海": "西宁", "宁夏": "银川", "内蒙古": "呼和浩特 包头",
    "山西": "太原", "江苏": "南京 苏州 无锡 常州", "浙江": "杭州 宁波 温州 绍兴", "上海": "", "香港": "", "澳门": "",
    "台湾": "台北",
}
_AREAS = {"江苏": "江浙沪", "浙江": "江浙沪", "上海": "江浙沪", "香港": "港澳台", "澳门": "港澳台", "台湾": "港澳台"}
for _province, _cities in _REGIONS.items():
    _names = tuple(n for n in (_province, _AREAS.get(_province)) if n)
    for _city in _cities.split():
        SYNONYMS[_city] = (_city, *_names)
    if _province in _AREAS:
        SYNONYMS[_province] = _names

# Countries -> how shipping rules name them.
for _country in ("美国 加拿大 英国 法国 德国 意大利 西班牙 俄罗斯 日本 韩国 新加坡 马来西亚 泰国 越南 菲律宾 印尼 印度 "
                 "澳大利亚 澳洲 新西兰 迪拜 国外 境外 海外").split():
    SYNONYMS[_country] = (_country, "海外", "国外", "境外")

# Place names: where a customer is or ships to. They say where, not what, so a place alone is never what makes a
# passage answer (「成都明天下雨吗」 is not about the shop's Sichuan shipping row).
PLACES = frozenset({*_REGIONS, *(c for cities in _REGIONS.values() for c in cities.split()), *_AREAS.values(),
                    *(t for t, v in SYNONYMS.items() if "海外" in v)})

# People a customer mentions (我妈妈, 给老公, 朋友说): who the question is for or from, not what it is about; a
# document that never names them can still answer it (这款连衣裙我妈妈能穿吗).
PEOPLE = frozenset("妈妈 爸爸 老妈 老爸 父母 爸妈 老公 老婆 爱人 媳妇 对象 男朋友 女朋友 儿子 女儿 闺女 孩子 小孩 "
                   "爷爷 奶奶 外公 外婆 姥姥 姥爷 老人 家人 家里人 亲戚 朋友 闺蜜 同事 同学 老师 领导 邻居 自己".split())

# Spans of time jieba tags as nouns (一个礼拜, 两个星期): when, never what; like its time words (明天, 今年).
TIMES = frozenset("礼拜 星期 周末 月底 月初 年底 年初 小时 分钟 工作日 节假日".split())

# The words that only ask for an attribute (多少钱, 有货吗): no evidence of which passage is meant.
ATTRIBUTE_WORDS = frozenset({t for t, v in SYNONYMS.items() if v in ATTRIBUTES} | {w for a in ATTRIBUTES for w in a}
                            | {"多少", "价", "钱", "卖", "买", "有卖", "卖吗"})

# What the ranking adds to a question: the synonyms that name what a passage is about. Price and stock words
# are in every row of a price list, so they tell no row from another and are left out.
RANKING_SYNONYMS = {t: v for t, v in SYNONYMS.items() if v not in ATTRIBUTES}

# A question that asks a price or the stock: the passages that state one (a price list's row) come first.
PRICE_WORDS = tuple(t for t, v in SYNONYMS.items() if v is _PRICE)
STOCK_WORDS = tuple(t for t, v in SYNONYMS.items() if v is _STOCK)
