"""The curated taxonomy of urban grassroots party-building practices. No Django here.

This is the starting data: a migration loads it into the ``Practice`` table,
where staff edit it in the admin; the pipeline tags cases from the table's
current names and synonyms (``cases/loading.py`` passes them in), falling back to this
list when run without a database.

Each entry: (name, slug, synonyms, description). Synonyms are the other ways
reports write the same practice; matching is on the simplified text.
"""

PRACTICES: list[tuple[str, str, list[str], str]] = [
    ("网格化管理", "grid-management", ["网格化", "网格管理", "网格党支部", "网格员", "一张网", "全科网格"],
     "把社区划成网格,网格内配党组织和网格员,党建、综治、城管等事务一网统管。"),
    ("党建联盟", "party-alliance", ["党建融合体", "融合党建", "党建共同体", "党建联合体", "联建共建"],
     "街道社区与驻区单位、两新组织等党组织结成联盟,组织共建、资源共享。"),
    ("双报到", "dual-reporting", ["在职党员到社区报到", "党员到社区报到", "双报到双服务", "报到服务"],
     "机关企事业单位党组织和在职党员到社区报到、认领服务。"),
    ("一肩挑", "one-shoulder", ["书记主任一肩挑", "一肩挑"], "社区党组织书记通过法定程序担任居委会主任。"),
    ("社区减负", "community-burden-reduction", ["减负增效", "松绑减负", "社区准入", "准入事项", "清理社区管理事项"],
     "清理社区承担的事项、考核评比和机构牌子,让社区回归主责主业。"),
    ("红色物业", "red-property-management", ["物业党建", "党建引领物业", "物业服务企业党组织"],
     "党建引领物业服务,物业企业建党组织、与社区联动。"),
    ("小区党支部", "residential-party-branch", ["小区党组织", "支部建在小区", "楼院党支部", "院落党支部"],
     "把党支部建在居民小区、楼院。"),
    ("党群服务中心", "party-mass-service-center", ["党群服务站", "党员群众服务中心", "区域性党群服务中心", "党群活动中心"],
     "面向党员群众开放的阵地,集成服务、活动和议事。"),
    ("吹哨报到", "whistle-reporting", ["街乡吹哨、部门报到", "街乡吹哨", "部门报到", "接诉即办"],
     "街道乡镇吹哨,职能部门到场报到,解决基层治理难题。"),
    ("大党委", "big-party-committee", ["大工委", "社区大党委", "街道大工委", "兼职委员"],
     "吸纳驻区单位负责人担任兼职委员的街道大工委、社区大党委。"),
    ("三张清单", "three-lists", ["需求清单", "资源清单", "项目清单"], "以需求、资源、项目三张清单推动共驻共建。"),
    ("智慧党建", "smart-party-building", ["互联网+党建", "党建云", "数字党建", "智慧社区", "智慧治理"],
     "用信息平台和数据支撑党建与基层治理。"),
    ("志愿服务", "volunteer-service", ["党员志愿者", "志愿服务队", "党员志愿服务"], "党员和群众志愿者服务社区。"),
    ("议事协商", "deliberative-consultation", ["民主协商", "议事会", "居民议事", "共建议事会", "协商议事"],
     "社区议事会等形式的居民协商自治。"),
    ("社区工作者职业体系", "community-worker-career-system", ["社区工作者职业化", "社区专职工作者", "岗级薪酬", "员额管理"],
     "社区工作者的招聘、薪酬、晋升和培训体系。"),
    ("楼宇党建", "building-party-building", ["商务楼宇党建", "楼宇党组织", "商圈党建"], "在商务楼宇、商圈建立党组织。"),
    ("“两新”组织党建", "two-new-organizations", ["两新组织", "两新党建", "非公企业党建", "社会组织党建", "两个覆盖"],
     "新经济组织和新社会组织的党组织覆盖与工作覆盖。"),
    ("第一书记", "first-secretary", ["驻村第一书记", "社区第一书记"], "选派干部到村居任第一书记。"),
    ("党员积分管理", "party-member-points", ["积分制管理", "党员积分", "积分管理"], "以积分记录和激励党员表现。"),
    ("讲习所", "lecture-halls", ["新时代讲习所", "党员群众讲习所", "理论宣讲"], "面向党员群众的理论宣讲阵地。"),
    ("区域化党建", "regionalized-party-building", ["区域党建", "全域党建", "共驻共建"],
     "打破行政隶属,以区域统筹各类党组织。"),
    ("街道管理体制改革", "subdistrict-reform", ["街道体制改革", "街道内设机构", "取消招商引资", "赋权扩能"],
     "调整街道职能和内设机构,强化党工委抓党建、抓治理、抓服务。"),
    ("党员中心户", "party-member-households", ["中心户", "楼栋党小组", "楼长"], "党员中心户、楼栋党小组联系服务群众。"),
    ("三会一课", "three-meetings-one-lesson", ["组织生活", "主题党日"], "党支部的基本组织生活制度。"),
    ("主题教育", "theme-education", ["不忘初心、牢记使命", "两学一做"], "党内集中学习教育。"),
    ("服务群众项目化", "service-projects", ["项目化服务", "微心愿", "服务项目化"],
     "以项目方式组织为群众办实事。"),
    ("一站式服务", "one-stop-service", ["一门式办理", "一窗通办", "最多跑一次", "一网通办"],
     "便民服务中心集中办理群众事项。"),
    ("三社联动", "three-social-linkage", ["社区、社会组织、社会工作者联动", "三社联动机制"], "社区、社会组织和社会工作者联动。"),
    ("党建引领基层治理", "party-led-governance", ["党建引领基层社会治理", "党建引领社区治理", "党建引领城市基层治理"],
     "以党的建设引领基层社会治理。"),
    ("五星支部创建", "five-star-branches", ["星级党支部", "五星支部", "星级评定"], "按星级标准创建和评定党支部。"),
    ("党员先锋岗", "vanguard-posts", ["党员示范岗", "党员先锋队", "党员责任区"], "党员亮身份、设岗定责。"),
    ("在职党员进社区", "serving-members-in-community", ["在职党员进社区", "认领岗位"], "在职党员回社区参加活动、服务群众。"),
]
