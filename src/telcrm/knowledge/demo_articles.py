# ruff: noqa: E501  (article texts)
"""The demo knowledge base: a category tree and about thirty articles on everyday telecom questions."""

# (code, name, English name, parent code)
CATEGORIES = (
    ("kb-billing", "话费与缴费", "Billing and payment", None),
    ("kb-balance", "余额与充值", "Balance and top-up", "kb-billing"),
    ("kb-bill", "账单与争议", "Bills and disputes", "kb-billing"),
    ("kb-plans", "套餐与业务", "Plans and services", None),
    ("kb-plan-change", "套餐变更", "Plan changes", "kb-plans"),
    ("kb-roaming", "国际及港澳台漫游", "International roaming", "kb-plans"),
    ("kb-vas", "增值业务", "Value-added services", "kb-plans"),
    ("kb-broadband", "宽带与家庭网络", "Broadband and home network", None),
    ("kb-bb-fault", "宽带故障", "Broadband faults", "kb-broadband"),
    ("kb-bb-install", "装机与移机", "Installation and moves", "kb-broadband"),
    ("kb-number", "号码与SIM卡", "Numbers and SIM cards", None),
    ("kb-porting", "携号转网", "Number portability", "kb-number"),
    ("kb-sim", "补换卡与实名", "SIM replacement and real name", "kb-number"),
    ("kb-service", "投诉与服务规范", "Complaints and service rules", None),
)

# (category, title, keywords, body)
ARTICLES = (
    (
        "kb-balance",
        "如何查询话费余额",
        "余额 话费 查询 1008611",
        "客户可通过以下方式查询话费余额：\n1. 编辑短信“CXYE”发送到10086，或拨打1008611按语音提示查询；\n"
        "2. 登录手机营业厅APP首页查看“话费余额”；\n3. 到任一营业厅由营业员查询。\n"
        "注意：余额数据来自计费系统，实时扣费可能有几分钟延迟，月初出账期间（每月1日至3日）余额可能暂时不准确。",
    ),
    (
        "kb-balance",
        "How to check the account balance (English)",
        "balance top-up credit",
        "Customers can check their balance by sending the SMS CXYE to 10086, by calling 1008611, or in the "
        "mobile app on the home page.\nThe balance comes from the billing system; real-time charges may show "
        "a few minutes late. During the billing run (1st to 3rd of each month) the figure can be temporarily off.",
    ),
    (
        "kb-balance",
        "充值后余额未到账怎么办",
        "充值 到账 缴费 延迟",
        "充值后一般1分钟内到账。若超过30分钟未到账：\n1. 核实充值号码是否正确；\n"
        "2. 请客户提供支付流水号，在CRM“缴费记录”中查询；\n3. 第三方渠道（支付宝、微信）充值由渠道方处理，"
        "超过24小时未到账可建立“计费争议”工单，选择“充值未到账”类别。",
    ),
    (
        "kb-balance",
        "欠费停机后如何恢复通话",
        "欠费 停机 复机 信用额度",
        "客户欠费停机后缴清欠费，系统会在缴费成功后约10分钟内自动复机。\n"
        "如缴费后2小时仍未复机，请核查账户是否仍有欠费或存在其他停机原因（挂失、违章停机），"
        "必要时提交复机工单。信誉度高的客户可申请信用额度延期停机。",
    ),
    (
        "kb-bill",
        "话费账单明细怎么看",
        "账单 详单 明细 扣费",
        "月账单包括套餐月费、套餐外语音、套餐外流量、增值业务费和代收费。客户可在APP“账单查询”查看近6个月账单，"
        "通话详单需实名验证后查询。对某项费用有疑问时，先核对详单中的时间、号码和业务名称。",
    ),
    (
        "kb-bill",
        "客户对扣费有异议如何处理",
        "扣费 争议 退费 计费争议",
        "1. 核对详单，确认扣费项目和时间；\n2. 如为客户未订购的增值业务，按“未经同意订购”处理，先退订，再按规定退费；\n"
        "3. 无法当场解释的，建立“计费争议”工单，承诺时限内回复客户。\n退费金额超过500元需班长审批。",
    ),
    (
        "kb-bill",
        "流量超额产生高额费用",
        "流量 超额 高额 封顶",
        "套餐外流量按3元/GB计费，单月封顶费用以套餐说明为准。客户反映流量费用异常时，请查询流量详单，"
        "确认是否存在后台应用大量消耗。可为客户推荐加装流量包或升级套餐，并开启流量提醒短信。",
    ),
    (
        "kb-plan-change",
        "如何办理套餐变更",
        "套餐 变更 升档 降档 生效",
        "套餐变更可在营业厅、10086热线或APP办理。升档套餐可选择立即生效或次月生效；降档套餐次月生效。\n"
        "处于合约期内的客户降档可能需要支付违约金，办理前请在CRM中查看客户的合约到期日。",
    ),
    (
        "kb-plan-change",
        "合约期内能否更换套餐",
        "合约 违约金 承诺 套餐",
        "合约期内可以升档。降档或取消合约须按协议支付违约金：违约金=剩余月数×月承诺消费差额×30%。"
        "营业员应向客户说明并在受理单上签字确认。",
    ),
    (
        "kb-plan-change",
        "Changing a mobile plan (English)",
        "plan change upgrade downgrade contract",
        "A plan can be changed at a branch, through the 10086 hotline or in the app. Upgrades take effect "
        "immediately or next month; downgrades take effect next month. Customers under a contract may owe an "
        "early termination fee for a downgrade; check the commitment end date in the customer 360 first.",
    ),
    (
        "kb-plan-change",
        "5G套餐开通条件",
        "5G 套餐 终端 SA",
        "开通5G套餐需要：5G终端、支持5G的SIM卡（2019年后的USIM卡）以及所在地区有5G覆盖。"
        "客户开通后仍显示4G时，请检查手机设置中的“启用5G”开关和SA模式。",
    ),
    (
        "kb-roaming",
        "出国前如何开通国际漫游",
        "国际漫游 出国 开通 漫游包",
        "实名认证的客户可通过10086或APP开通国际及港澳台漫游，默认开通语音和数据。"
        "建议出行前购买目的地的漫游流量包（日包或多日包），避免按标准资费产生高额费用。"
        "信用等级较低的客户开通漫游需预存款。",
    ),
    (
        "kb-roaming",
        "International roaming: activation and day passes",
        "roaming abroad travel day pass",
        "Roaming is open to real-name registered customers through 10086 or the app. Recommend a day pass or "
        "multi-day pass for the destination before departure; without a pass, standard roaming rates apply. "
        "If data does not work abroad, ask the customer to turn on data roaming and select the network manually.",
    ),
    (
        "kb-roaming",
        "境外无法上网怎么办",
        "漫游 境外 上网 数据漫游",
        "1. 确认已开通国际漫游并订购流量包；\n2. 手机设置中打开“数据漫游”；\n3. 手动选择当地合作运营商网络；\n"
        "4. 重启手机。仍无法使用的，记录所在国家、运营商和时间，建立“漫游故障”工单。",
    ),
    (
        "kb-vas",
        "如何退订增值业务",
        "退订 增值业务 短信 0000",
        "编辑短信“0000”发送到10086可查询并退订已订购的增值业务；也可在APP“已订业务”中退订。"
        "客户投诉未经同意订购的，按扣费异议流程处理。",
    ),
    (
        "kb-vas",
        "来电显示与彩铃业务说明",
        "来电显示 彩铃 视频彩铃",
        "来电显示为套餐基础功能；彩铃和视频彩铃按月收费，可通过APP设置铃音。退订后次月不再收费。",
    ),
    (
        "kb-bb-fault",
        "宽带无法上网的排查步骤",
        "宽带 断网 无法上网 故障 光猫",
        "1. 请客户查看光猫指示灯：PON灯常亮、LOS灯不亮为正常；LOS灯红色闪烁表示光纤中断；\n"
        "2. 重启光猫和路由器（断电1分钟）；\n3. 用网线直连光猫测试，排除路由器问题；\n"
        "4. 查询客户账户是否欠费；\n5. 以上无效的，建立“宽带故障”工单派装维人员上门，并告知客户预约时间。",
    ),
    (
        "kb-bb-fault",
        "宽带网速慢怎么办",
        "网速慢 宽带 测速 WiFi",
        "先请客户用网线直连测速，排除Wi-Fi干扰。直连速率达到签约带宽80%以上视为正常；"
        "Wi-Fi慢建议使用5GHz频段、调整路由器位置或升级千兆路由器。直连也慢的，建立故障工单。",
    ),
    (
        "kb-bb-fault",
        "光猫LOS灯红灯闪烁",
        "光猫 LOS 红灯 光纤",
        "LOS灯红色闪烁说明光信号中断，多为光纤被折断或入户光缆故障，客户自行无法处理。"
        "请直接建立“宽带故障”工单，优先级“高”，同时核查同一小区是否有批量故障。",
    ),
    (
        "kb-bb-fault",
        "Broadband is down: troubleshooting steps (English)",
        "broadband internet down router modem",
        "Ask the customer to check the ONT lights (PON steady, LOS off is normal), restart the ONT and the "
        "router, and test with a cable connected directly to the ONT. Check the account for arrears. If nothing "
        "helps, open a broadband fault ticket and book an installer visit.",
    ),
    (
        "kb-bb-fault",
        "区域性网络故障的告知口径",
        "批量故障 区域 断网 告知",
        "确认为区域性故障后，统一口径：“您所在区域网络正在抢修，预计恢复时间为……，恢复后会短信通知您。”"
        "将客户工单关联到主故障单，不要重复派单。",
    ),
    (
        "kb-bb-install",
        "宽带新装办理流程",
        "宽带 新装 装机 预约",
        "办理新装需：机主身份证、装机地址。先查询地址覆盖，选择带宽与套餐，预约上门时间。"
        "一般在受理后48小时内上门安装，偏远地区72小时内。",
    ),
    (
        "kb-bb-install",
        "宽带移机如何办理",
        "移机 搬家 宽带 地址变更",
        "客户搬家可办理移机：确认新地址有覆盖，预约拆机和装机时间。同城移机免收移机费一次，"
        "跨城市需在原地销户、新地新装。",
    ),
    (
        "kb-porting",
        "携号转网办理条件",
        "携号转网 转网 授权码 条件",
        "办理携号转网须满足：号码已实名登记、无欠费、在网满120天、无未到期合约、号码状态正常。"
        "客户先发送“CXXZ#姓名#证件号码”到10086查询资格，再发送“SQXZ#姓名#证件号码”获取授权码。",
    ),
    (
        "kb-porting",
        "Number portability FAQ (English)",
        "porting number portability authorisation code",
        "To port a number out, the number must be registered under the customer's real name, free of arrears, "
        "at least 120 days in service and not under a contract. The customer requests an authorisation code by SMS "
        "and then applies at the new operator within its validity.",
    ),
    (
        "kb-porting",
        "挽留携号转网客户的话术",
        "携号转网 挽留 优惠 话术",
        "了解客户转网原因（资费、信号、服务），针对性推荐合适套餐或优惠；不得设置障碍阻止转网，"
        "不得以任何理由拒绝提供授权码。",
    ),
    (
        "kb-sim",
        "手机卡丢失如何补卡",
        "补卡 挂失 SIM卡 丢失",
        "1. 先拨打10086或在APP办理挂失，防止盗用；\n2. 机主本人携带身份证到营业厅补卡，补卡费按规定收取；\n"
        "3. 补卡后原卡失效，通讯录需另行恢复。",
    ),
    (
        "kb-sim",
        "实名登记信息如何修改",
        "实名 登记 证件 过户",
        "实名信息错误需机主携带有效证件到营业厅办理变更；更换机主须办理过户，原机主和新机主同时到场。",
    ),
    (
        "kb-service",
        "投诉处理时限要求",
        "投诉 时限 SLA 回复",
        "一般投诉应在24小时内首次响应、48小时内处理完毕；工信部申诉转办件须在规定时限内回复，"
        "逾期将升级到班长。处理完毕后须回访客户确认。",
    ),
    (
        "kb-service",
        "骚扰电话和诈骗短信的处理",
        "骚扰 诈骗 短信 拦截 举报",
        "指导客户开启骚扰拦截功能，将号码标记举报到12321。涉及诈骗的，提醒客户不要转账，必要时报警，"
        "并记录举报工单。",
    ),
)

# an article whose validity has ended (agents no longer see it)
EXPIRED_ARTICLES = (
    (
        "kb-vas",
        "2025年春节流量包优惠活动说明",
        "春节 流量包 活动 优惠",
        "2025年1月20日至2月28日，订购春节流量包可享5折优惠。活动已结束。",
    ),
)
