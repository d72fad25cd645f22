"""The clauses of the source text, by the IDs docs/domain.md gives them.

Stored once as published (Traditional Chinese) with an English translation;
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
        "Conscientiously carry out the decisions, deployments and instructions of the Party Central Committee and of the provincial, municipal and county committees on ideology work; hold firmly to the correct political direction; strictly observe political, organisational and publicity discipline; resolutely uphold the authority of the Party Central Committee and stay closely aligned, in thought, politics and action, with the Party Central Committee with Comrade Xi Jinping at its core.",
    ),
    "W2": Label(
        "黨委(支部)書記每年至少兩次專題研究本部門本單位的意識形態重點工作和責任制,對重要的意識形態工作要及時過問、親自處理,對網絡意識形態安全要親自抓。",
        "The secretary of the party committee (branch) studies, in dedicated deliberations (專題研究), the key ideology work and the responsibility system of the department or unit at least twice a year; promptly looks into important ideology work and handles it in person; personally takes charge of network ideology security.",
    ),
    "W3": Label(
        "各黨支部要抓好理論學習,每年集中學習不少於12次,其中對意識形態工作相關內容的學習每年不少於2次。",
        "Each party branch organises theory study well: centralised study at least 12 times a year, of which study on ideology work at least twice a year.",
    ),
    "W4": Label(
        "加強對意識形態工作的統一領導,形成黨委統一領導、黨政齊抓共管、辦公室組織協調、各村(居)委會、站所分工負責的工作格局。",
        "Strengthen unified leadership of ideology work, forming a structure in which the party committee leads, party and government manage it jointly, the office organises and coordinates, and the village (residents') committees and stations take responsibility for their divided parts.",
    ),
    "W5": Label(
        "統籌協調政治、經濟、社會管理中體現意識形態工作要求,維護意識形態安全。",
        "Coordinate the reflection of ideology-work requirements in political, economic and social management, and safeguard ideological security.",
    ),
    "W6": Label(
        "按照“誰組織誰負責、誰審批誰監督”的原則,加強黨委對全鎮各行業、部門的管理。對於重大有關意識形態工作必須事先經過黨委批准,報上級部門備案。",
        "Following the principle “whoever organises is responsible, whoever approves supervises”, strengthen the committee's management of every sector and department in the town. Major matters concerning ideology work must be approved by the party committee in advance and filed with the higher department.",
    ),
    "W7": Label(
        "加強反邪教工作,防範邪教在意識形態領域的滲透。",
        "Strengthen anti-cult work and guard against the infiltration of cults into the ideological field.",
    ),
    "M1": Label(
        "按照屬地管理、分級負責和誰主管誰負責的原則,黨委對本鎮意識形態工作負主體責任。黨委書記是第一責任人,應當旗幟鮮明地站在意識形態工作第一線,帶頭抓意識形態工作。",
        "Following the principles of territorial management, graded responsibility and “whoever is in charge is responsible”, the party committee bears the main responsibility for the town's ideology work. The party secretary is the first responsible person, should stand unambiguously on the front line of ideology work and take the lead in it.",
    ),
    "M2": Label(
        "分管領導是直接責任人,協助黨委書記抓好協調指導落實工作,做到知責履責盡責。",
        "The leader in charge is the directly responsible person, assisting the party secretary in coordinating, guiding and carrying out the work, knowing, fulfilling and discharging the responsibility.",
    ),
    "M3": Label(
        "支委及班子其他成員根據工作分工和“一崗雙責”要求,對職責範圍內的意識形態工作負領導責任。",
        "Branch committee members (支委) and the other members of the leadership group bear leadership responsibility for ideology work within their remit, according to the division of work and the requirement of “one post, two responsibilities” (一崗雙責).",
    ),
    "M4": Label(
        "鎮黨委認真貫徹落實上級有關意識形態工作的精神,把意識形態工作作爲黨的建設和政權建設的重要內容,納入重要議事日程,納入黨建工作責任制,納入領導班子、領導幹部目標管理,與經濟建設、政治建設、文化建設、社會建設、生態建設和黨的建設工作緊密結合,一同部署、一同落實、一同檢查、一同考覈。",
        "The town party committee conscientiously implements the higher levels' guidance on ideology work; makes it an important part of party building and of building political power; puts it on the agenda of important business, into the party-building responsibility system and into the target management of the leadership group and leading cadres; combines it closely with economic, political, cultural, social, ecological and party building, deploying, carrying out, checking and assessing (考覈) them together.",
    ),
    "M5": Label(
        "鎮黨委要切實提高政治敏銳性和政治鑑別力,嚴守政治紀律和政治規矩,嚴格遵守黨紀國法,進一步加強意識形態工作能力建設,不斷增強做好意識形態工作的能力和本領,不斷壯大主流思想輿論,牢牢掌握意識形態工作的領導權和話語權。",
        "The town party committee earnestly sharpens its political sensitivity and discernment, strictly observes political discipline and rules, party discipline and state law, further builds its capacity for ideology work, keeps strengthening the mainstream of thought and opinion, and firmly holds the leadership and the voice in ideology work.",
    ),
    "A1": Label(
        "對意識形態領域情況的分析研判,由鎮黨委牽頭組織實施。其他相關部門密切配合,指定專人負責,及時準確提供有關情況。",
        "Analysis of the situation in the ideological field is organised and carried out under the lead of the town party committee. Other relevant departments cooperate closely, designate a person responsible (指定專人負責) and supply relevant information promptly and accurately.",
    ),
    "A2": Label(
        "定期分析研判意識形態領域情況,分清主流支流,辨析思想文化領域的突出問題。每半年對思想理論、新聞輿論、文化藝術、社會輿論、思想道德、網上輿論等進行分析研判。",
        "Analyse the situation in the ideological field regularly, distinguishing mainstream from minor currents and identifying prominent problems in thought and culture. Every half-year, analyse theory, news and opinion, culture and the arts, social opinion, ideas and morality, and online opinion.",
    ),
    "A3": Label(
        "對重大敏感時間節點、重大輿情熱點需注意問題進行前瞻性分析研判,對特定領域和羣體重要情況隨時進行分析研判。",
        "Make forward-looking analyses of the issues to watch around major sensitive dates and major hot topics of public opinion, and analyse important situations in particular fields and groups at any time.",
    ),
    "A4": Label(
        "健全完善組織協調、社會調查、科學分析、工作保障等機制,推動意識形態領域情況分析研判工作科學化、規範化。",
        "Build and improve mechanisms for organisation and coordination, social surveys, scientific analysis and support of the work, making the analysis of the ideological field scientific and standardised.",
    ),
    "R1": Label(
        "鎮黨委每年至少召開兩次專題研究意識形態工作,每半年對意識形態工作進行一次專題研究,並向上級黨委進行專題彙報。",
        "The town party committee holds dedicated deliberations (專題研究) on ideology work at least twice a year, studying ideology work once every half-year, and reports on it to the higher party committee.",
    ),
    "R2": Label(
        "鎮黨委應當把意識形態工作作爲向黨員大會報告的重要內容。",
        "The town party committee makes ideology work an important part of its report to the party members' assembly.",
    ),
    "R3": Label(
        "鎮黨委應及時向上級黨委報告意識形態領域的重大情況並提出建設性意見。",
        "The town party committee reports major situations in the ideological field to the higher party committee promptly, with constructive proposals.",
    ),
    "I1": Label(
        "每半年由意識形態領導小組辦公室牽頭,對轄區開展一次專題督查。",
        "Every half-year the office of the ideology leading group leads one special inspection (專題督查) of the jurisdiction.",
    ),
    "I2": Label(
        "督查工作採取全面自查與重點檢查相結合,書面督查與現場督查相結合的方式進行。",
        "Inspection combines full self-inspection with key checks, and written inspection with on-site inspection.",
    ),
    "I3": Label(
        "鎮黨委負責同志要對意識形態工作督查結果存在突出問題的村(居)委會、站所負責人進行約談。",
        "Responsible comrades of the town party committee hold interviews (約談) with the heads of village (residents') committees and stations whose inspection results show prominent problems in ideology work.",
    ),
    "I4": Label(
        "將意識形態責任制落實情況納入黨建工作實績考覈評價體系進行考覈。",
        "Implementation of the ideology responsibility system is included in, and assessed by, the party-building performance assessment system.",
    ),
    "P1": Label(
        "鎮黨委建立健全日常信息蒐集發現機制,切實加強對網絡、微信、學習強國等各類意識形態陣地和平臺的管理。",
        "The town party committee builds a mechanism for gathering and detecting information daily, and strengthens the management of all ideology positions and platforms: the network, WeChat, 學習強國 and others.",
    ),
    "P2": Label(
        "完善應急處置,確保及時有效處置突發事件。重大輿情和意識形態事件,“邊處置,邊報告”,避免延誤發酵。對否定中國共產黨的領導、攻擊中國特色社會主義制度等錯誤思潮和言論,必須敢抓敢管。",
        "Improve emergency handling so that sudden incidents are handled promptly and effectively. Major public-opinion and ideology incidents are “handled and reported at the same time” (邊處置，邊報告), avoiding delay and escalation. Wrong trends of thought and statements that deny the leadership of the Communist Party of China or attack the system of socialism with Chinese characteristics must be confronted and managed.",
    ),
    "P3": Label(
        "建立健全溝通聯繫機制,出現重大負面輿情或意識形態事件時,做好與上級主管部門的溝通聯動,通報情況、協同處置。",
        "Build a mechanism of communication and liaison: when major negative opinion or an ideology incident arises, communicate and act together with the higher competent departments, reporting the situation and handling it jointly.",
    ),
    "P4": Label(
        "將意識形態工作貫穿於培育和踐行社會主義核心價值觀全程;加強對宗教及宗教思想傳播的管理;加強對外文化交流活動、學術交流合作的管理;加強對轄區非政府組織活動的有效管理;嚴厲打擊各種非法出版物,嚴密封堵境外政治性有害出版物向境內滲透。",
        "Carry ideology work through the cultivation and practice of the core socialist values; strengthen the management of religion and the spread of religious ideas, of foreign cultural exchanges and academic cooperation, and of the activities of non-governmental organisations in the jurisdiction; crack down on illegal publications and seal off the infiltration of harmful foreign political publications.",
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
