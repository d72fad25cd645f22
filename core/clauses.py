"""The clauses of the source text, by the IDs docs/domain.md gives them.

Stored once as published (Traditional Chinese) with an English summary from docs/domain.md;
served in three scripts like every catalogue label. Rules cite these IDs as ``source``.
"""

from __future__ import annotations

from zerenzhi.labels import Label

SECTIONS = {
    "W": Label("意識形態工作內容", "Scope of the work"),
    "M": Label("意識形態管理制度", "Management and responsibility"),
    "A": Label("定期分析研判意識形態領域情況制度", "Regular situation analysis"),
    "R": Label("意識形態報告制度", "Reporting"),
    "I": Label("意識形態督查制度", "Inspection"),
    "P": Label("陣地建設管理制度", "Platforms and channels"),
    "K": Label("意識形態責任追查制度", "Accountability"),
}

CLAUSES: dict[str, Label] = {
    "W1": Label(
        "認真貫徹落實黨中央和省委、市委、縣委關於意識形態工作的決策部署和指示精神,牢牢把握正確的政治方向,嚴守政治紀律、組織紀律和宣傳紀律,堅決維護黨中央權威,在思想上政治上行動上同以習近平同志爲核心的黨中央保持高度一致。",
        "Carry out decisions of higher committees; political discipline. (Directive tracking: record higher-level deployments and the tasks they create.)",
    ),
    "W2": Label(
        "黨委(支部)書記每年至少兩次專題研究本部門本單位的意識形態重點工作和責任制,對重要的意識形態工作要及時過問、親自處理,對網絡意識形態安全要親自抓。",
        "The committee (and each branch) secretary holds a special study (專題研究) of ideology work and the responsibility system at least twice a year; handles important matters personally; personally leads network ideology security.",
    ),
    "W3": Label(
        "各黨支部要抓好理論學習,每年集中學習不少於12次,其中對意識形態工作相關內容的學習每年不少於2次。",
        "Each party branch holds centralised theory study (集中學習) at least 12 times a year, of which at least 2 on ideology.",
    ),
    "W4": Label(
        "加強對意識形態工作的統一領導,形成黨委統一領導、黨政齊抓共管、辦公室組織協調、各村(居)委會、站所分工負責的工作格局。",
        "Structure: committee leads; party and government manage jointly; the office coordinates; village committees and stations take divided responsibility.",
    ),
    "W5": Label(
        "統籌協調政治、經濟、社會管理中體現意識形態工作要求,維護意識形態安全。",
        "Coordinate ideology requirements across political, economic and social management.",
    ),
    "W6": Label(
        "按照“誰組織誰負責、誰審批誰監督”的原則,加強黨委對全鎮各行業、部門的管理。對於重大有關意識形態工作必須事先經過黨委批准,報上級部門備案。",
        "\"Whoever organises is responsible, whoever approves supervises\": major ideology-related activities need prior approval by the committee and filing with the higher level.",
    ),
    "W7": Label(
        "加強反邪教工作,防範邪教在意識形態領域的滲透。",
        "Anti-cult work (an incident / analysis category).",
    ),
    "M1": Label(
        "按照屬地管理、分級負責和誰主管誰負責的原則,黨委對本鎮意識形態工作負主體責任。黨委書記是第一責任人,應當旗幟鮮明地站在意識形態工作第一線,帶頭抓意識形態工作。",
        "Territorial, graded responsibility; the committee bears main responsibility; the secretary is the first responsible person.",
    ),
    "M2": Label(
        "分管領導是直接責任人,協助黨委書記抓好協調指導落實工作,做到知責履責盡責。",
        "The leader in charge is the directly responsible person.",
    ),
    "M3": Label(
        "支委及班子其他成員根據工作分工和“一崗雙責”要求,對職責範圍內的意識形態工作負領導責任。",
        "Other members bear leadership responsibility within their areas (一崗雙責).",
    ),
    "M4": Label(
        "鎮黨委認真貫徹落實上級有關意識形態工作的精神,把意識形態工作作爲黨的建設和政權建設的重要內容,納入重要議事日程,納入黨建工作責任制,納入領導班子、領導幹部目標管理,與經濟建設、政治建設、文化建設、社會建設、生態建設和黨的建設工作緊密結合,一同部署、一同落實、一同檢查、一同考覈。",
        "Ideology work is in the agenda, in the party-building responsibility system and in the leadership's target management; deployed, carried out, checked and assessed (考覈) together with other work.",
    ),
    "M5": Label(
        "鎮黨委要切實提高政治敏銳性和政治鑑別力,嚴守政治紀律和政治規矩,嚴格遵守黨紀國法,進一步加強意識形態工作能力建設,不斷增強做好意識形態工作的能力和本領,不斷壯大主流思想輿論,牢牢掌握意識形態工作的領導權和話語權。",
        "Build capability (training).",
    ),
    "A1": Label(
        "對意識形態領域情況的分析研判,由鎮黨委牽頭組織實施。其他相關部門密切配合,指定專人負責,及時準確提供有關情況。",
        "Organised by the committee; other departments name a person and supply information on time.",
    ),
    "A2": Label(
        "定期分析研判意識形態領域情況,分清主流支流,辨析思想文化領域的突出問題。每半年對思想理論、新聞輿論、文化藝術、社會輿論、思想道德、網上輿論等進行分析研判。",
        "Every half-year an analysis of six domains: 思想理論 theory, 新聞輿論 news and opinion, 文化藝術 culture and arts, 社會輿論 social opinion, 思想道德 ideas and morality, 網上輿論 online opinion; distinguish mainstream from minor currents; name prominent problems.",
    ),
    "A3": Label(
        "對重大敏感時間節點、重大輿情熱點需注意問題進行前瞻性分析研判,對特定領域和羣體重要情況隨時進行分析研判。",
        "Forward-looking analysis before major sensitive dates and hot topics; ad-hoc analysis of particular fields or groups at any time.",
    ),
    "A4": Label(
        "健全完善組織協調、社會調查、科學分析、工作保障等機制,推動意識形態領域情況分析研判工作科學化、規範化。",
        "Mechanisms: coordination, surveys, analysis, resources.",
    ),
    "R1": Label(
        "鎮黨委每年至少召開兩次專題研究意識形態工作,每半年對意識形態工作進行一次專題研究,並向上級黨委進行專題彙報。",
        "The committee studies ideology work in special meetings at least twice a year — once every half-year — and reports to the higher committee every half-year.",
    ),
    "R2": Label(
        "鎮黨委應當把意識形態工作作爲向黨員大會報告的重要內容。",
        "Ideology work is an important part of the committee's report to the party members' assembly.",
    ),
    "R3": Label(
        "鎮黨委應及時向上級黨委報告意識形態領域的重大情況並提出建設性意見。",
        "Major situations are reported to the higher committee promptly, with proposals.",
    ),
    "I1": Label(
        "每半年由意識形態領導小組辦公室牽頭,對轄區開展一次專題督查。",
        "Every half-year the leading group's office leads a special inspection of the whole jurisdiction.",
    ),
    "I2": Label(
        "督查工作採取全面自查與重點檢查相結合,書面督查與現場督查相結合的方式進行。",
        "Methods: full self-inspection combined with key inspection; written combined with on-site.",
    ),
    "I3": Label(
        "鎮黨委負責同志要對意識形態工作督查結果存在突出問題的村(居)委會、站所負責人進行約談。",
        "Responsible committee members hold interviews (約談) with heads of village committees and stations whose results show prominent problems.",
    ),
    "I4": Label(
        "將意識形態責任制落實情況納入黨建工作實績考覈評價體系進行考覈。",
        "Implementation of the responsibility system is scored in the party-building performance assessment.",
    ),
    "P1": Label(
        "鎮黨委建立健全日常信息蒐集發現機制,切實加強對網絡、微信、學習強國等各類意識形態陣地和平臺的管理。",
        "A daily information-gathering mechanism; manage the organisation's network, WeChat, 學習強國 and other channels and platforms.",
    ),
    "P2": Label(
        "完善應急處置,確保及時有效處置突發事件。重大輿情和意識形態事件,“邊處置,邊報告”,避免延誤發酵。對否定中國共產黨的領導、攻擊中國特色社會主義制度等錯誤思潮和言論,必須敢抓敢管。",
        "Emergency handling: major opinion or ideology incidents are handled and reported at the same time (邊處置，邊報告), without delay.",
    ),
    "P3": Label(
        "建立健全溝通聯繫機制,出現重大負面輿情或意識形態事件時,做好與上級主管部門的溝通聯動,通報情況、協同處置。",
        "Liaison with higher departments during major incidents: notify, coordinate.",
    ),
    "P4": Label(
        "將意識形態工作貫穿於培育和踐行社會主義核心價值觀全程;加強對宗教及宗教思想傳播的管理;加強對外文化交流活動、學術交流合作的管理;加強對轄區非政府組織活動的有效管理;嚴厲打擊各種非法出版物,嚴密封堵境外政治性有害出版物向境內滲透。",
        "Core values throughout; management of religious propagation, foreign cultural and academic exchange, NGOs, illegal publications. (In scope only as activity-approval categories under W6 and incident categories under P2: see \"Scope\" above.)",
    ),
    "K1": Label(
        "對黨中央或者上級黨組織安排部署的重大宣傳教育任務、重大思想輿論鬥爭組織開展不力的;",
        "Poorly organising major publicity and education tasks or major ideological and public-opinion struggles deployed by the Party Central Committee or a higher party organisation.",
    ),
    "K2": Label(
        "在處置意識形態領域重大問題上,主要領導沒有站在第一線、沒有帶頭與錯誤觀點和錯誤傾向作鬥爭的;",
        "In handling major problems in the ideological field, the principal leader not standing on the front line and not taking the lead in fighting wrong views and wrong tendencies.",
    ),
    "K3": Label(
        "管轄範圍內發生因意識形態領域問題引發羣體性事件的;",
        "A mass incident caused by problems in the ideological field occurring within the jurisdiction.",
    ),
    "K4": Label(
        "對重大敏感問題和突發事件處置和引導不力,引起思想混亂,造成嚴重影響的;",
        "Poorly handling and guiding major sensitive issues and sudden incidents, causing ideological confusion and serious impact.",
    ),
    "K5": Label(
        "對黨員幹部公開發表違背黨章、黨的決定決議和政策的言論放任不管、處置不力的;",
        "Letting party-member cadres' public statements contrary to the party constitution, the party's decisions and resolutions or its policies go unchecked, or handling them poorly.",
    ),
    "K6": Label(
        "所屬輿論陣地出現嚴重錯誤導向的;",
        "A public-opinion platform under its management showing a seriously wrong orientation.",
    ),
    "K7": Label(
        "管轄範圍內出現大量非法出版物和編寫的教材等在意識形態方面有嚴重錯誤導向的;",
        "Large numbers of illegal publications, compiled teaching materials and the like with a seriously wrong ideological orientation appearing within the jurisdiction.",
    ),
    "K8": Label(
        "管轄範圍內的會議、講座、論壇有發表否定黨的領導,攻擊中國特色社會主義制度言論,造成不良影響的;",
        "Statements denying the leadership of the party or attacking the system of socialism with Chinese characteristics made at meetings, lectures or forums within the jurisdiction, causing adverse effects.",
    ),
    "K9": Label(
        "對管轄範圍內意識形態工作出現嚴重問題隱瞞不報的;",
        "Concealing, and not reporting, serious problems in ideology work within the jurisdiction.",
    ),
    "K10": Label(
        "黨員領導幹部通過信息網絡、廣播電視、報刊書籍、論壇講座等公開發表違背中央精神言論、妄議中央大政方針的;",
        "Party-member leading cadres publicly making statements contrary to the spirit of the Party Central Committee, or improperly discussing (妄議) its major policies, through information networks, radio and television, newspapers, periodicals and books, forums, lectures and the like.",
    ),
    "K11": Label(
        "黨員領導幹部組織、利用宗教活動反對黨的路線、方針、政策和決議,破壞民族團結的;",
        "Party-member leading cadres organising or using religious activities to oppose the party's line, principles, policies and resolutions, or undermining ethnic unity.",
    ),
    "K12": Label(
        "黨員領導幹部在涉外活動中,因言行不當在政治上造成惡劣影響,損害黨和國家形象的;",
        "Party-member leading cadres whose improper words or deeds in foreign-related activities cause a pernicious political impact, damaging the image of the party and the state.",
    ),
    "K13": Label(
        "其他未能切實履行工作職責,造成不良後果的。",
        "Other failures to genuinely perform work duties, causing adverse consequences.",
    ),
}
